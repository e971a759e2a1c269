import { Mic, MicOff } from 'lucide-react';
import { useId } from 'react';
import type { VoiceSnapshot } from '../../lib/voice/VoiceClient';

interface MuteButtonProps {
  state: VoiceSnapshot;
  /** Seconds until slow mode allows the next unmute (0 = now). */
  waitSeconds: number;
  /** Why unmuting is not possible now (e.g. in the audience of a stage), or null. */
  blockedReason: string | null;
  onMute: (muted: boolean) => void;
}

/**
 * Mute / Unmute. While slow mode holds an unmute back the button shows the countdown and stays
 * focusable (aria-disabled, not disabled, so the keyboard focus is not lost when it starts).
 */
export function MuteButton({ state, waitSeconds, blockedReason, onMute }: MuteButtonProps) {
  const hintId = useId();
  const hostMuted = state.mutedBy === 'host';
  const waiting = state.muted && waitSeconds > 0;
  const held = state.muted && !hostMuted && (waiting || blockedReason !== null);
  const hint = !held
    ? null
    : waiting
      ? `Slow mode: you can unmute in ${waitSeconds} s`
      : blockedReason;
  return (
    <>
      <button
        type="button"
        className={`button ${state.muted ? 'button--danger' : ''}`}
        aria-pressed={state.muted}
        aria-disabled={held || undefined}
        aria-describedby={hint ? hintId : undefined}
        disabled={state.listenOnly || (state.muted && hostMuted)}
        title={hostMuted ? 'The host muted you' : undefined}
        data-testid="mute-button"
        onClick={() => {
          if (!held) onMute(!state.muted);
        }}
      >
        {state.muted ? <MicOff aria-hidden size={18} /> : <Mic aria-hidden size={18} />}
        {state.muted ? 'Unmute' : 'Mute'}
        {waiting && (
          <span className="mute-button__countdown" aria-hidden data-testid="unmute-countdown">
            {waitSeconds} s
          </span>
        )}
      </button>
      {hint && (
        <span id={hintId} className="voice-controls__hint">
          {hint}
        </span>
      )}
    </>
  );
}
