import { RefreshCw, WifiOff } from 'lucide-react';
import { kUnreachableMessage } from '../../lib/voice/VoiceClient';

/** The call ended because no media path got through: what it likely means, and a Retry. */
export function UnreachableNotice({ onRetry, busy }: { onRetry: () => void; busy: boolean }) {
  return (
    <div className="voice-banner voice-banner--error" role="alert" data-testid="voice-unreachable">
      <WifiOff aria-hidden size={16} />
      <div>
        <strong>{kUnreachableMessage}</strong> The voice connection could not get through: this
        network may block the ports voice uses. Try another network, or ask the server&apos;s
        operator to open them or add a TURN relay.
      </div>
      <button type="button" className="button button--ghost" disabled={busy} onClick={onRetry}>
        <RefreshCw aria-hidden size={16} />
        Retry
      </button>
    </div>
  );
}
