import { describe, expect, it } from 'vitest';
import {
  canAppointModerators,
  handQueue,
  hasModeratorPowers,
  isSpeaker,
  isStage,
  splitStage,
  togglePin,
} from './stage';
import type { RosterEntry } from './types';

const member = (user_id: number, extra: Partial<RosterEntry> = {}): RosterEntry => ({
  user_id,
  username: `u${user_id}`,
  role: 'member',
  muted: true,
  joined_at: '2026-12-07T20:00:00Z',
  speaker: false,
  hand_raised_at: null,
  ...extra,
});

describe('stage split', () => {
  it('is a stage only when the room says so', () => {
    expect(isStage({ mode: 'stage' })).toBe(true);
    expect(isStage({ mode: 'open' })).toBe(false);
    expect(isStage({})).toBe(false);
    expect(isStage(null)).toBe(false);
  });

  it('everyone speaks in an open room; on a stage only speakers (missing field = speaker)', () => {
    expect(isSpeaker({ speaker: false }, false)).toBe(true);
    expect(isSpeaker({ speaker: false }, true)).toBe(false);
    expect(isSpeaker({ speaker: true }, true)).toBe(true);
    expect(isSpeaker({}, true)).toBe(true);
  });

  it('splits into speakers and audience keeping the order', () => {
    const people = [
      { id: 1, speaker: true },
      { id: 2, speaker: false },
      { id: 3, speaker: true },
      { id: 4, speaker: false },
    ];
    const { speakers, audience } = splitStage(people);
    expect(speakers.map((p) => p.id)).toEqual([1, 3]);
    expect(audience.map((p) => p.id)).toEqual([2, 4]);
  });
});

describe('hand queue', () => {
  it('lists raised hands oldest first, ties by user id, skipping lowered hands', () => {
    const roster = [
      member(4, { hand_raised_at: '2026-12-07T21:00:05Z' }),
      member(5),
      member(6, { hand_raised_at: '2026-12-07T21:00:01Z' }),
      member(3, { hand_raised_at: '2026-12-07T21:00:05Z' }),
      member(7, { hand_raised_at: '2026-12-07T21:00:01.500+00:00' }),
    ];
    expect(handQueue(roster).map((m) => m.user_id)).toEqual([6, 7, 3, 4]);
    expect(handQueue([member(1)])).toEqual([]);
  });

  it('keeps an unreadable time at the end instead of dropping the hand', () => {
    const roster = [
      member(1, { hand_raised_at: 'soon' }),
      member(2, { hand_raised_at: '2026-12-07T21:00:00Z' }),
    ];
    expect(handQueue(roster).map((m) => m.user_id)).toEqual([2, 1]);
  });
});

describe('powers', () => {
  const base = { userRole: 'user' as const, userId: 5, hostId: 1 };
  it('moderator powers: host, admin, appointed moderator', () => {
    expect(hasModeratorPowers(base)).toBe(false);
    expect(hasModeratorPowers({ ...base, rosterRole: 'member' })).toBe(false);
    expect(hasModeratorPowers({ ...base, rosterRole: 'moderator' })).toBe(true);
    expect(hasModeratorPowers({ ...base, userId: 1 })).toBe(true);
    expect(hasModeratorPowers({ ...base, userRole: 'admin' })).toBe(true);
  });
  it('only the host and admins appoint moderators', () => {
    expect(canAppointModerators({ ...base, rosterRole: 'moderator' })).toBe(false);
    expect(canAppointModerators({ ...base, userId: 1 })).toBe(true);
    expect(canAppointModerators({ ...base, rosterRole: 'host' })).toBe(true);
    expect(canAppointModerators({ ...base, userRole: 'admin' })).toBe(true);
  });
});

describe('pins', () => {
  it('pins up to the slot count and unpins', () => {
    expect(togglePin([], 3, 2)).toEqual([3]);
    expect(togglePin([3], 4, 2)).toEqual([3, 4]);
    expect(togglePin([3, 4], 5, 2)).toBeNull();
    expect(togglePin([3, 4], 3, 2)).toEqual([4]);
  });
});
