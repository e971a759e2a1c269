import { Mic, MicOff, Radio, Wifi } from 'lucide-react';
import type { VoiceSnapshot } from '../../lib/voice/VoiceClient';
import { isAudioLive, statusText } from '../../lib/voice/voiceStatus';

/** True when the local user is speaking (server speaker list, else the open mic while PTT is held). */
export function isSelfSpeaking(state: VoiceSnapshot): boolean {
  const self = state.participants.find((p) => p.userId === state.selfUserId);
  return state.transmitting && (self?.speaking ?? false);
}

/** The Connected / Reconnecting, Muted and Speaking chips (player HUD and voice panel). */
export function VoiceStatusChips({ state }: { state: VoiceSnapshot }) {
  const { phase } = state;
  if (phase !== 'connected' && phase !== 'reconnecting') return null;
  const speaking = isSelfSpeaking(state);
  const live = isAudioLive(state);
  return (
    <ul className="voice-chips" aria-label="Voice status">
      <li className={`chip ${live ? 'chip--ok' : 'chip--warn'}`}>
        <Wifi aria-hidden size={14} />
        {statusText(state)}
      </li>
      {state.muted && (
        <li className="chip chip--muted">
          <MicOff aria-hidden size={14} />
          {state.mutedBy === 'host' ? 'Muted by host' : 'Muted'}
        </li>
      )}
      {state.deafened && <li className="chip chip--muted">Deafened</li>}
      {state.pushToTalk && !state.muted && (
        <li className={`chip ${state.pttPressed ? 'chip--live' : ''}`}>
          <Radio aria-hidden size={14} />
          {state.pttPressed ? 'Talking (push-to-talk)' : 'Push-to-talk'}
        </li>
      )}
      {speaking && (
        <li className="chip chip--live">
          <Mic aria-hidden size={14} />
          Speaking
        </li>
      )}
    </ul>
  );
}
