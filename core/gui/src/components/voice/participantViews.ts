// Builds the rows of the participant list: live /rtc participants during a call, the SSE roster
// otherwise; roles, speaker status and hands come from the roster, the host from the stream, pins
// and the stage from the room.
import { isSpeaker, isStage } from '../../lib/voice/stage';
import type { RosterEntry, VoiceRoom } from '../../lib/voice/types';
import type { VoiceSnapshot } from '../../lib/voice/VoiceClient';
import type { ParticipantView } from './ParticipantRow';

interface Input {
  state: VoiceSnapshot;
  roster: readonly RosterEntry[] | null;
  hostId: number | null;
  selfId: number;
  room?: VoiceRoom | null;
}

/** Returns the participant rows to render. */
export function toParticipantViews({
  state,
  roster,
  hostId,
  selfId,
  room,
}: Input): ParticipantView[] {
  const entries = new Map((roster ?? []).map((m) => [m.user_id, m]));
  const roles = new Map((roster ?? []).map((m) => [m.user_id, m.role]));
  const stage = isStage(room);
  const pinned = new Set(room?.pinned ?? []);
  const stageOf = (userId: number) => {
    const entry = entries.get(userId);
    return {
      speaker: entry ? isSpeaker(entry, stage) : !stage,
      handRaised: !!entry?.hand_raised_at,
      pinned: pinned.has(userId),
    };
  };
  const inCall = state.phase === 'connected' || state.phase === 'reconnecting';
  if (inCall && state.participants.length > 0) {
    return state.participants.map((p) => ({
      userId: p.userId,
      username: p.username,
      role: roles.get(p.userId) ?? null,
      isHost: p.userId === hostId || roles.get(p.userId) === 'host',
      isSelf: p.userId === selfId,
      muted: p.muted,
      mutedBy: p.mutedBy,
      speaking: p.speaking,
      volume: p.userId === selfId ? null : (state.volumes[p.userId] ?? 100),
      ...stageOf(p.userId),
    }));
  }
  return (roster ?? []).map((m) => ({
    userId: m.user_id,
    username: m.username,
    role: m.role,
    isHost: m.user_id === hostId || m.role === 'host',
    isSelf: m.user_id === selfId,
    muted: m.muted,
    mutedBy: m.muted ? (m.muted_by_host ? 'host' : 'self') : null,
    speaking: false,
    volume: null,
    ...stageOf(m.user_id),
  }));
}
