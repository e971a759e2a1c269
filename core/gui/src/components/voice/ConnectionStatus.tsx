import { Signal, SignalLow, SignalMedium, SignalZero } from 'lucide-react';
import type { VoiceSnapshot } from '../../lib/voice/VoiceClient';
import { isAudioLive, statusText } from '../../lib/voice/voiceStatus';

const kQualityIcon = { excellent: Signal, good: SignalMedium, poor: SignalLow, lost: SignalZero };

/** Connection phase, ping, packet loss and a quality word with an icon (never colour alone). */
export function ConnectionStatus({ state }: { state: VoiceSnapshot }) {
  const { stats, phase } = state;
  const Icon = kQualityIcon[stats.quality];
  const live = isAudioLive(state);
  const loss = Math.max(stats.lossUp, stats.lossDown);
  return (
    <div className="voice-connection" data-phase={phase} data-media={state.media}>
      {/* Only the phase is announced; the numbers change every 2 s and would be noise. */}
      <span className="voice-connection__phase" role="status" aria-live="polite">
        {statusText(state)}
      </span>
      {live && (
        <span
          className={`voice-connection__quality quality--${stats.quality}`}
          data-testid="voice-quality"
        >
          <Icon aria-hidden size={16} />
          Quality: {stats.quality}
          <span className="voice-connection__numbers">
            · Ping {stats.rttMs === null ? '—' : `${Math.round(stats.rttMs)} ms`} · Loss{' '}
            {(loss * 100).toFixed(1)}%
          </span>
        </span>
      )}
    </div>
  );
}
