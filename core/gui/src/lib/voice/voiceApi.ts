// The voice REST endpoints (docs/api.md "Voice"). No React; the fetch function is injectable.
import { ApiError } from '../api/ApiError';
import { request } from '../api/client';
import { normalizeSettings } from './settings';
import type { JoinResponse, RosterEntry, VoiceSettings, VoiceState } from './types';

const streamPath = (streamId: number) =>
  `/api/voice/streams/${encodeURIComponent(String(streamId))}`;

/** The REST calls a VoiceClient makes; tests pass a fake. */
export interface VoiceApi {
  join(streamId: number): Promise<JoinResponse>;
  leave(streamId: number): Promise<void>;
  heartbeat(streamId: number): Promise<void>;
  /** Sends leave with fetch keepalive so it survives the page being hidden or unloaded. */
  leaveKeepalive(streamId: number): void;
}

/** POST …/join: takes a seat; returns the room token, the /rtc URL, roster and settings. */
export async function joinVoice(streamId: number): Promise<JoinResponse> {
  const reply = await request<JoinResponse>('POST', `${streamPath(streamId)}/join`);
  return { ...reply, settings: normalizeSettings(reply.settings) };
}

/** POST …/leave: gives the seat up (idempotent). */
export async function leaveVoice(streamId: number): Promise<void> {
  await request<unknown>('POST', `${streamPath(streamId)}/leave`);
}

/** POST …/heartbeat: keeps the seat; ApiError 409 not_joined when the seat was lost. */
export async function heartbeatVoice(streamId: number): Promise<void> {
  await request<unknown>('POST', `${streamPath(streamId)}/heartbeat`);
}

/**
 * POST …/leave as a keepalive fetch (sendBeacon cannot set Content-Type: application/json,
 * which the CSRF rule needs). Never throws.
 */
export function leaveVoiceKeepalive(streamId: number): void {
  try {
    void fetch(`${streamPath(streamId)}/leave`, {
      method: 'POST',
      keepalive: true,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      // The server keeps the seat for the rejoin grace, so a reload rejoins without the others
      // seeing a leave and a join.
      body: JSON.stringify({ reason: 'page_hide' }),
    }).catch(() => {});
  } catch {
    // The page is going away; nothing else to do.
  }
}

/** GET …/roster: everyone in the channel, earliest first. */
export async function fetchRoster(streamId: number): Promise<RosterEntry[]> {
  const reply = await request<RosterEntry[] | { roster: RosterEntry[] }>(
    'GET',
    `${streamPath(streamId)}/roster`,
  );
  return Array.isArray(reply) ? reply : reply.roster;
}

/** GET …/state: room, roster and version. */
export async function fetchVoiceState(streamId: number): Promise<VoiceState> {
  return request<VoiceState>('GET', `${streamPath(streamId)}/state`);
}

/** POST …/members/{user}/mute|unmute|kick (host or moderator). */
export async function moderate(
  streamId: number,
  userId: number,
  action: 'mute' | 'unmute' | 'kick',
): Promise<void> {
  await request<unknown>('POST', `${streamPath(streamId)}/members/${userId}/${action}`);
}

/** GET /api/settings/voice. */
export async function fetchVoiceSettings(): Promise<VoiceSettings> {
  return normalizeSettings(await request<unknown>('GET', '/api/settings/voice'));
}

/** PUT /api/settings/voice with the changed fields; returns the stored settings. */
export async function saveVoiceSettings(patch: Partial<VoiceSettings>): Promise<VoiceSettings> {
  return normalizeSettings(await request<unknown>('PUT', '/api/settings/voice', patch));
}

/** The real VoiceApi over fetch. */
export const httpVoiceApi: VoiceApi = {
  join: joinVoice,
  leave: leaveVoice,
  heartbeat: heartbeatVoice,
  leaveKeepalive: leaveVoiceKeepalive,
};

/** True when an error means retrying the join cannot help (no stream, voice off, kicked, full). */
export function isFatalJoinError(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.status === 401 || error.status === 403 || error.status === 404 || error.status === 409)
  );
}
