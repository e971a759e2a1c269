import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSignOutHooks } from '../signOutHooks';
import {
  FakePeerConnection,
  FakeWebSocket,
  ManualClock,
  fakeDeps,
  flush,
  kJoined,
  lastSocket,
} from './testing/fakes';
import {
  activeVoiceClient,
  resetVoiceSession,
  setVoiceDepsFactory,
  voiceClientFor,
} from './voiceSession';

let clock: ManualClock;
beforeEach(() => {
  clock = new ManualClock();
  FakeWebSocket.instances = [];
  FakePeerConnection.instances = [];
});
afterEach(() => resetVoiceSession());

async function joinedClient(streamId: number) {
  const fake = fakeDeps(clock);
  setVoiceDepsFactory(() => fake.deps);
  const client = voiceClientFor(streamId);
  const done = client.join();
  await flush();
  lastSocket().open();
  lastSocket().receive(kJoined);
  await done;
  return { client, ...fake };
}

describe('voiceSession', () => {
  it('keeps one call: the same stream reuses the client, another stream leaves the first', async () => {
    const first = await joinedClient(1);
    expect(voiceClientFor(1)).toBe(first.client);
    const second = voiceClientFor(2);
    expect(activeVoiceClient()).toBe(second);
    await flush();
    expect(first.api.leave).toHaveBeenCalledWith(1);
  });

  it('leaves before sign-out', async () => {
    const { client, api } = await joinedClient(1);
    await runSignOutHooks(500);
    expect(api.leave).toHaveBeenCalledWith(1);
    expect(client.getSnapshot().phase).toBe('idle');
  });

  it('leaves with a keepalive request when the page is hidden', async () => {
    const { api } = await joinedClient(1);
    window.dispatchEvent(new Event('pagehide'));
    expect(api.leaveKeepalive).toHaveBeenCalledWith(1);
  });
});
