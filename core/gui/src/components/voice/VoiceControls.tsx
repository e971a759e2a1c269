import { Headphones, HeadphoneOff, LogOut, Radio, Settings } from 'lucide-react';
import { useId } from 'react';
import { useAudioInputs } from '../../hooks/useAudioInputs';
import { describeKey } from '../../lib/voice/settings';
import type { VoiceSnapshot } from '../../lib/voice/VoiceClient';
import { HandButton } from './HandButton';
import { MuteButton } from './MuteButton';

interface VoiceControlsProps {
  state: VoiceSnapshot;
  onMute: (muted: boolean) => void;
  onDeafen: (deafened: boolean) => void;
  onDevice: (deviceId: string) => void;
  onLeave: () => void;
  onSettings: () => void;
  /** Seconds until slow mode allows the next unmute (0 = now). */
  unmuteWaitSeconds?: number;
  /** Why unmuting is not possible now, or null. */
  unmuteBlockedReason?: string | null;
  /** Present for listeners on a stage: their raised hand and the toggle. */
  hand?: { raised: boolean; onToggle: (raised: boolean) => void };
}

/**
 * The in-call controls: mute (with the slow-mode countdown), raise hand on a stage, deafen,
 * push-to-talk state, microphone choice, settings, leave.
 */
export function VoiceControls({
  state,
  onMute,
  onDeafen,
  onDevice,
  onLeave,
  onSettings,
  unmuteWaitSeconds = 0,
  unmuteBlockedReason = null,
  hand,
}: VoiceControlsProps) {
  const inputs = useAudioInputs(state.mic);
  const deviceSelectId = useId();
  return (
    <div className="voice-controls" role="group" aria-label="Voice controls">
      <MuteButton
        state={state}
        waitSeconds={unmuteWaitSeconds}
        blockedReason={unmuteBlockedReason}
        onMute={onMute}
      />
      {hand && <HandButton raised={hand.raised} onToggle={hand.onToggle} />}
      <button
        type="button"
        className={`button ${state.deafened ? 'button--danger' : ''}`}
        aria-pressed={state.deafened}
        onClick={() => onDeafen(!state.deafened)}
      >
        {state.deafened ? (
          <HeadphoneOff aria-hidden size={18} />
        ) : (
          <Headphones aria-hidden size={18} />
        )}
        {state.deafened ? 'Undeafen' : 'Deafen'}
      </button>
      {state.pushToTalk && (
        <span
          className={`ptt-indicator ${state.pttPressed ? 'ptt-indicator--on' : ''}`}
          role="status"
          data-testid="ptt-state"
        >
          <Radio aria-hidden size={16} />
          {state.pttPressed ? 'Talking' : `Hold ${describeKey(state.settings.ptt_key)} to talk`}
        </span>
      )}
      {!state.listenOnly && inputs.length > 0 && (
        <span className="voice-controls__device">
          <label htmlFor={deviceSelectId}>Microphone</label>
          <select
            id={deviceSelectId}
            value={state.settings.input_device_id}
            onChange={(event) => onDevice(event.target.value)}
          >
            <option value="">Default microphone</option>
            {inputs
              .filter((d) => d.deviceId && d.deviceId !== 'default')
              .map((d) => (
                <option key={d.deviceId} value={d.deviceId}>
                  {d.label}
                </option>
              ))}
          </select>
        </span>
      )}
      <button type="button" className="button button--ghost" onClick={onSettings}>
        <Settings aria-hidden size={18} />
        Voice settings
      </button>
      <button type="button" className="button button--danger" onClick={onLeave}>
        <LogOut aria-hidden size={18} />
        Leave voice
      </button>
    </div>
  );
}
