// Shared setup for Voice tab component tests: a signed-in user, a stream, a roster and a room
// served by fakeFetch, the VoiceClient on fakes, and a helper that joins the call.
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect } from 'vitest';
import { kDefaultVoiceSettings } from '../lib/voice/settings';
import {
  FakeWebSocket,
  ManualClock,
  fakeDeps,
  joinReply,
  lastPeer,
  lastSocket,
} from '../lib/voice/testing/fakes';
import type { RosterEntry, VoiceRoom } from '../lib/voice/types';
import { setVoiceDepsFactory } from '../lib/voice/voiceSession';
import { installFakeFetch, kDemoStream, type Route } from './fakeFetch';
import { renderApp } from './renderApp';

export const kRoom: VoiceRoom = {
  room_id: 'stream-1',
  stream_id: 1,
  max_members: 50,
  member_count: 3,
  host_id: 1,
  mode: 'open',
  max_speakers: 0,
  slow_mode_seconds: 0,
  pinned: [],
  slots: 4,
};

/** A roster member with stage fields (a listener unless told). */
export function rosterEntry(
  user_id: number,
  username: string,
  extra: Partial<RosterEntry> = {},
): RosterEntry {
  return {
    user_id,
    username,
    role: 'member',
    muted: true,
    muted_by_host: false,
    joined_at: '2026-12-07T20:00:00Z',
    speaker: true,
    hand_raised_at: null,
    ...extra,
  };
}

export interface PanelSetup {
  me: { id: number; username: string; role: 'admin' | 'user' };
  roster: RosterEntry[];
  room?: VoiceRoom;
  routes?: Record<string, Route>;
}

/** Renders the Voice tab of stream 1 as `me`; returns the fakes, the recorded requests and a user. */
export function setupPanel({ me, roster, room = kRoom, routes = {} }: PanelSetup) {
  const clock = new ManualClock();
  const fake = fakeDeps(clock);
  setVoiceDepsFactory(() => fake.deps);
  const self = roster.find((m) => m.user_id === me.id);
  fake.api.join.mockResolvedValue(joinReply({ member: self, room, roster }));
  const http = installFakeFetch({
    'GET /api/auth/me': { status: 200, body: { user: me } },
    'GET /api/streams/1': { status: 200, body: kDemoStream },
    'GET /api/settings/voice': { status: 200, body: kDefaultVoiceSettings },
    'GET /api/voice/streams/1/roster': { status: 200, body: roster },
    'GET /api/voice/streams/1/state': { status: 200, body: { room, roster, version: 1 } },
    ...routes,
  });
  renderApp('/streams/1?tab=voice');
  return { ...fake, clock, http, user: userEvent.setup() };
}

/** Clicks Join and plays the server until `joined` with `members`; ICE connects. */
export async function joinCall(
  user: ReturnType<typeof userEvent.setup>,
  selfId: number,
  members: { user_id: number; username: string; muted: boolean }[],
) {
  const join = await screen.findByRole('button', { name: 'Join voice' }, { timeout: 5_000 });
  await waitFor(() => expect(join).toBeEnabled());
  await user.click(join);
  await waitFor(() => expect(FakeWebSocket.instances.length).toBeGreaterThan(0));
  await act(async () => {
    lastSocket().open();
    lastSocket().receive({
      type: 'joined',
      answer: 'v=0 fake answer',
      participant_id: 'p1',
      user_id: selfId,
      slots: [1, 2, 3, 4].map((mid, index) => ({ index, mid: String(mid) })),
      members: members.map((m) => ({
        ...m,
        muted_by: m.muted ? 'self' : null,
        speaking: false,
      })),
    });
  });
  await screen.findByRole('group', { name: 'Voice controls' });
  act(() => lastPeer().setConnectionState('connected'));
}

/** Returns the requests with this method and path. */
export function sent(http: ReturnType<typeof installFakeFetch>, method: string, path: string) {
  return http.requests.filter((r) => r.method === method && r.path === path);
}
