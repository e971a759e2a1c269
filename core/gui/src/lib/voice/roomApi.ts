// The room and stage endpoints of a voice channel (docs/api.md "Voice": PATCH …/room, roles,
// hands, speakers, kicks, the moderation log). No React; each returns the server's reply.
import { request } from '../api/client';
import type { RoomPatch, RosterEntry, VoiceRoom } from './types';

const streamPath = (streamId: number) =>
  `/api/voice/streams/${encodeURIComponent(String(streamId))}`;

export interface Moderator {
  user_id: number;
  username: string;
  appointed_by: number | null;
  appointed_at: string;
}

export interface Kick {
  user_id: number;
  username: string;
  kicked_by: number | null;
  kicked_at: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor_id: number | null;
  actor_name: string | null;
  action: string;
  target_user_id: number | null;
  target_name: string | null;
  detail: unknown;
}

/** PATCH …/room (moderator powers): changes the given fields; returns the room. */
export async function patchRoom(streamId: number, patch: RoomPatch): Promise<VoiceRoom> {
  return request<VoiceRoom>('PATCH', `${streamPath(streamId)}/room`, patch);
}

/** POST …/members/{user}/role (host or admin): appoints or removes a moderator. */
export async function setMemberRole(
  streamId: number,
  userId: number,
  role: 'moderator' | 'member',
): Promise<{ user_id: number; role: string; member?: RosterEntry }> {
  return request('POST', `${streamPath(streamId)}/members/${userId}/role`, { role });
}

/** GET …/moderators: the stream's appointed moderators. */
export async function fetchModerators(streamId: number): Promise<Moderator[]> {
  return (await request<{ moderators: Moderator[] }>('GET', `${streamPath(streamId)}/moderators`))
    .moderators;
}

/** POST …/hand: raises or lowers the caller's hand; returns the caller's roster entry. */
export async function raiseHand(streamId: number, raised: boolean): Promise<RosterEntry> {
  return (
    await request<{ member: RosterEntry }>('POST', `${streamPath(streamId)}/hand`, { raised })
  ).member;
}

/** POST …/members/{user}/speak (moderator powers): makes a speaker or returns to the audience. */
export async function allowSpeak(
  streamId: number,
  userId: number,
  allow: boolean,
): Promise<RosterEntry> {
  return (
    await request<{ member: RosterEntry }>(
      'POST',
      `${streamPath(streamId)}/members/${userId}/speak`,
      { allow },
    )
  ).member;
}

/** GET …/kicks (moderator powers): who is banned from the room. */
export async function fetchKicks(streamId: number): Promise<Kick[]> {
  return (await request<{ kicks: Kick[] }>('GET', `${streamPath(streamId)}/kicks`)).kicks;
}

/** DELETE …/kicks/{user} (moderator powers): lifts a ban; ApiError 404 not_kicked if none. */
export async function liftKick(streamId: number, userId: number): Promise<void> {
  await request<unknown>('DELETE', `${streamPath(streamId)}/kicks/${userId}`);
}

/** GET …/audit?limit=N (moderator powers): the moderation log, newest first. */
export async function fetchAudit(streamId: number, limit = 50): Promise<AuditEntry[]> {
  return (
    await request<{ entries: AuditEntry[] }>('GET', `${streamPath(streamId)}/audit?limit=${limit}`)
  ).entries;
}
