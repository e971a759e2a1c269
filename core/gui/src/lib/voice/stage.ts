// Stage rooms (docs/api.md "Stage"): who speaks and who listens, the hand queue, who holds
// moderator powers, pins. Pure functions over the roster and the room object; no I/O.
import type { Role } from '../api/types';
import type { RosterEntry, VoiceRole, VoiceRoom } from './types';

/** Returns true when the room is in stage mode (an older server without `mode` is open). */
export function isStage(room: Pick<VoiceRoom, 'mode'> | null | undefined): boolean {
  return room?.mode === 'stage';
}

/** Returns whether a member may speak: everyone in an open room, `speaker` ones on a stage. */
export function isSpeaker(member: Pick<RosterEntry, 'speaker'>, stage: boolean): boolean {
  return !stage || member.speaker !== false;
}

/** Splits people into speakers and audience, keeping their order. */
export function splitStage<T extends { speaker: boolean }>(
  people: readonly T[],
): { speakers: T[]; audience: T[] } {
  return {
    speakers: people.filter((p) => p.speaker),
    audience: people.filter((p) => !p.speaker),
  };
}

const raisedAt = (m: RosterEntry) => {
  const at = Date.parse(m.hand_raised_at ?? '');
  return Number.isNaN(at) ? Number.MAX_SAFE_INTEGER : at;
};

/** Returns the members with a raised hand, oldest first (ties by user id). */
export function handQueue(roster: readonly RosterEntry[]): RosterEntry[] {
  return roster
    .filter((m) => typeof m.hand_raised_at === 'string' && m.hand_raised_at !== '')
    .sort((a, b) => raisedAt(a) - raisedAt(b) || a.user_id - b.user_id);
}

export interface PowersInput {
  /** The signed-in user's site role. */
  userRole: Role;
  userId: number;
  /** The stream's host. */
  hostId: number | null;
  /** The user's role in the voice roster, when present. */
  rosterRole?: VoiceRole;
}

/** Returns true for the host, an administrator or a moderator (the server decides for real). */
export function hasModeratorPowers({ userRole, userId, hostId, rosterRole }: PowersInput): boolean {
  return (
    userRole === 'admin' || userId === hostId || rosterRole === 'host' || rosterRole === 'moderator'
  );
}

/** Returns true for those who may appoint moderators: the host and administrators only. */
export function canAppointModerators({
  userRole,
  userId,
  hostId,
  rosterRole,
}: PowersInput): boolean {
  return userRole === 'admin' || userId === hostId || rosterRole === 'host';
}

/**
 * Returns the pin list with `userId` pinned or unpinned, or null when pinning would exceed
 * `slots` (the SFU's slot count).
 */
export function togglePin(
  pinned: readonly number[],
  userId: number,
  slots: number,
): number[] | null {
  if (pinned.includes(userId)) return pinned.filter((id) => id !== userId);
  if (pinned.length >= slots) return null;
  return [...pinned, userId];
}
