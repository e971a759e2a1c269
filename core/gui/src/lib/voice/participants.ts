// Pure updates of the participant list from /rtc messages (no I/O, easy to test).
import type { MutedBy, RtcMember } from './types';

export interface VoiceParticipant {
  userId: number;
  username: string;
  muted: boolean;
  mutedBy: MutedBy;
  speaking: boolean;
  /** Audio level 0..1 while speaking (from the server's speakers events). */
  level: number;
}

/** Converts a /rtc member to a participant. */
export function fromMember(member: RtcMember): VoiceParticipant {
  return {
    userId: member.user_id,
    username: member.username,
    muted: member.muted,
    mutedBy: member.muted ? member.muted_by : null,
    speaking: member.speaking,
    level: 0,
  };
}

/** Returns the list with `member` added or replaced (keeping its place). */
export function upsertParticipant(
  list: readonly VoiceParticipant[],
  member: RtcMember,
): VoiceParticipant[] {
  const next = fromMember(member);
  const at = list.findIndex((p) => p.userId === member.user_id);
  if (at < 0) return [...list, next];
  const copy = [...list];
  copy[at] = { ...next, level: list[at]!.level };
  return copy;
}

/** Returns the list without `userId`. */
export function removeParticipant(
  list: readonly VoiceParticipant[],
  userId: number,
): VoiceParticipant[] {
  return list.filter((p) => p.userId !== userId);
}

/** Returns the list with speaking flags and levels from a `speakers` event. */
export function applySpeakers(
  list: readonly VoiceParticipant[],
  speakers: readonly { user_id: number; level: number }[],
): VoiceParticipant[] {
  const levels = new Map(speakers.map((s) => [s.user_id, s.level]));
  return list.map((p) => ({
    ...p,
    speaking: levels.has(p.userId),
    level: levels.get(p.userId) ?? 0,
  }));
}

/** Returns the list with one user's mute state changed. */
export function applyMuted(
  list: readonly VoiceParticipant[],
  userId: number,
  muted: boolean,
  by: 'self' | 'host',
): VoiceParticipant[] {
  return list.map((p) => (p.userId === userId ? { ...p, muted, mutedBy: muted ? by : null } : p));
}
