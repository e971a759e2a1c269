// The Room controls form: turns what a moderator typed into a PATCH …/room body holding only the
// fields that changed, checked against the API's ranges (docs/api.md "PATCH …/room"). Pure.
import type { RoomMode, RoomPatch, VoiceRoom } from './types';

/** What the form holds: the mode, and the numbers as typed (strings). */
export interface RoomDraft {
  mode?: RoomMode;
  max_speakers?: string;
  max_members?: string;
  slow_mode_seconds?: string;
}

type NumberField = 'max_speakers' | 'max_members' | 'slow_mode_seconds';

/** Each number field: its name in messages and its inclusive range. */
export const kRoomLimits: Record<NumberField, { label: string; min: number; max: number }> = {
  max_speakers: { label: 'Speaker limit', min: 0, max: 1000 },
  max_members: { label: 'Member limit', min: 1, max: 1000 },
  slow_mode_seconds: { label: 'Slow mode', min: 0, max: 3600 },
};

export type RoomPatchResult = { ok: true; patch: RoomPatch } | { ok: false; error: string };

/** Returns the changed fields of `draft` against `room`, or the first field out of range. */
export function roomPatchFrom(room: VoiceRoom, draft: RoomDraft): RoomPatchResult {
  const patch: RoomPatch = {};
  if (draft.mode !== undefined && draft.mode !== (room.mode ?? 'open')) patch.mode = draft.mode;
  for (const field of Object.keys(kRoomLimits) as NumberField[]) {
    const typed = draft[field];
    if (typed === undefined) continue;
    const { label, min, max } = kRoomLimits[field];
    const value = Number(typed.trim());
    if (typed.trim() === '' || !Number.isInteger(value) || value < min || value > max)
      return { ok: false, error: `${label} must be a whole number from ${min} to ${max}.` };
    if (value !== (room[field] ?? 0)) patch[field] = value;
  }
  return { ok: true, patch };
}

/** Returns the value a field shows: the typed draft, else the room's. */
export function shownValue(room: VoiceRoom, draft: RoomDraft, field: NumberField): string {
  return draft[field] ?? String(room[field] ?? 0);
}
