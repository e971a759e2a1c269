// How /rtc roster events change the call state (pure, no I/O).
import * as P from './participants';
import type { RtcServerMessage } from './types';
import type { VoiceSnapshot } from './voiceState';

/**
 * Returns the state changes a speakers, slot, member or muted message makes, or null for other
 * message types (the client handles those itself).
 */
export function reduceRosterMessage(
  s: VoiceSnapshot,
  message: RtcServerMessage,
): Partial<VoiceSnapshot> | null {
  switch (message.type) {
    case 'speakers':
      return { participants: P.applySpeakers(s.participants, message.speakers) };
    case 'slot': {
      const slots = [...s.slots];
      slots[message.index] = message.user_id;
      return { slots };
    }
    case 'member': {
      const participants =
        message.event === 'left'
          ? P.removeParticipant(s.participants, message.member.user_id)
          : P.upsertParticipant(s.participants, message.member);
      const m = message.member;
      // Moved to the audience (or the room became a stage): the server muted us; follow it.
      const silenced = m.user_id === s.selfUserId && m.speaker === false && m.muted && !s.muted;
      if (message.event === 'updated' && silenced)
        return { participants, muted: true, mutedBy: m.muted_by ?? 'self' };
      return { participants };
    }
    case 'muted': {
      const participants = P.applyMuted(s.participants, message.user_id, message.muted, message.by);
      if (message.user_id !== s.selfUserId) return { participants };
      return { participants, muted: message.muted, mutedBy: message.muted ? message.by : null };
    }
    default:
      return null;
  }
}
