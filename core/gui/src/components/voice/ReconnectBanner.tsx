import { RefreshCw } from 'lucide-react';
import type { VoiceSnapshot } from '../../lib/voice/VoiceClient';

/** Shown while the call is reconnecting: what happened, the attempt, and "Retry now". */
export function ReconnectBanner({ state, onRetry }: { state: VoiceSnapshot; onRetry: () => void }) {
  if (state.phase !== 'reconnecting') return null;
  return (
    <div
      className="voice-banner voice-banner--warn"
      role="alert"
      data-testid="voice-reconnect-banner"
    >
      <RefreshCw aria-hidden size={16} className="spin" />
      <span>
        Connection lost — reconnecting (attempt {state.reconnectAttempt})
        {state.error ? `: ${state.error}` : '…'}
      </span>
      <button type="button" className="button button--ghost" onClick={onRetry}>
        Retry now
      </button>
    </div>
  );
}
