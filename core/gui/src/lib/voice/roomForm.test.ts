import { describe, expect, it } from 'vitest';
import { roomPatchFrom, shownValue } from './roomForm';
import type { VoiceRoom } from './types';

const room: VoiceRoom = {
  room_id: 'stream-7',
  stream_id: 7,
  max_members: 50,
  member_count: 3,
  host_id: 2,
  mode: 'open',
  max_speakers: 0,
  slow_mode_seconds: 0,
  pinned: [],
  slots: 4,
};

describe('roomPatchFrom', () => {
  it('sends only the fields that changed', () => {
    expect(roomPatchFrom(room, {})).toEqual({ ok: true, patch: {} });
    expect(
      roomPatchFrom(room, {
        mode: 'stage',
        max_speakers: '3',
        max_members: '50',
        slow_mode_seconds: ' 30 ',
      }),
    ).toEqual({ ok: true, patch: { mode: 'stage', max_speakers: 3, slow_mode_seconds: 30 } });
    expect(roomPatchFrom(room, { mode: 'open' })).toEqual({ ok: true, patch: {} });
  });

  it('treats a room without a mode (older server) as open', () => {
    const old: VoiceRoom = { ...room, mode: undefined };
    expect(roomPatchFrom(old, { mode: 'open' })).toEqual({ ok: true, patch: {} });
  });

  it.each([
    [{ max_members: '0' }, 'Member limit must be a whole number from 1 to 1000.'],
    [{ max_speakers: '-1' }, 'Speaker limit must be a whole number from 0 to 1000.'],
    [{ slow_mode_seconds: '3601' }, 'Slow mode must be a whole number from 0 to 3600.'],
    [{ slow_mode_seconds: '1.5' }, 'Slow mode must be a whole number from 0 to 3600.'],
    [{ max_speakers: '' }, 'Speaker limit must be a whole number from 0 to 1000.'],
  ])('refuses %j', (draft, error) => {
    expect(roomPatchFrom(room, draft)).toEqual({ ok: false, error });
  });

  it('shows the typed value, else the room value', () => {
    expect(shownValue(room, {}, 'max_members')).toBe('50');
    expect(shownValue(room, { max_members: '7' }, 'max_members')).toBe('7');
  });
});
