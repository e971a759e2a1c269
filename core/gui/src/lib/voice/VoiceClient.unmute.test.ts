// VoiceClient and the server refusing an unmute (speaker limit, audience, slow mode, rate limit).
import { beforeEach, describe, expect, it } from 'vitest';
import {
  FakePeerConnection,
  FakeWebSocket,
  ManualClock,
  fakeDeps,
  flush,
  kJoined,
  lastPeer,
  lastSocket,
} from './testing/fakes';
import { VoiceClient } from './VoiceClient';

let clock: ManualClock;

beforeEach(() => {
  clock = new ManualClock();
  FakeWebSocket.instances = [];
  FakePeerConnection.instances = [];
});

async function joinedClient() {
  const fake = fakeDeps(clock);
  const client = new VoiceClient(1, fake.deps);
  const done = client.join();
  await flush();
  lastSocket().open();
  lastSocket().receive(kJoined);
  await done;
  lastPeer().setConnectionState('connected');
  return { client, ...fake };
}

describe('VoiceClient unmute refusals', () => {
  it.each([
    ['speaker_limit', /speaker limit/],
    ['not_a_speaker', /in the audience/],
  ])('%s: mutes again, closes the mic and says why', async (code, text) => {
    const { client, mics } = await joinedClient();
    client.setMuted(true);
    clock.now = 5_000;
    client.setMuted(false);
    expect(client.getSnapshot().lastUnmuteAt).toBe(5_000);
    lastSocket().receive({ type: 'error', code, message: 'no' });
    const s = client.getSnapshot();
    expect(s).toMatchObject({ muted: true, mutedBy: 'self', transmitting: false });
    expect(s.refusal).toMatchObject({ code, until: null });
    expect(s.refusal!.message).toMatch(text);
    expect(mics[0]!.track.enabled).toBe(false);
    // The refused unmute does not start a slow-mode wait.
    expect(s.lastUnmuteAt).toBeNull();
  });

  it('slow_mode: records until when to wait; the next toggle clears the message', async () => {
    const { client } = await joinedClient();
    client.setMuted(true);
    clock.now = 10_000;
    client.setMuted(false);
    lastSocket().receive({ type: 'error', code: 'slow_mode', message: '', retry_after_ms: 4_200 });
    expect(client.getSnapshot().refusal).toEqual({
      code: 'slow_mode',
      message: 'Could not unmute: slow mode is on. You can try again in 5 s.',
      until: 14_200,
    });
    client.setMuted(true);
    expect(client.getSnapshot().refusal).toBeNull();
  });

  it('rate_limited while already muted changes nothing', async () => {
    const { client } = await joinedClient();
    client.setMuted(true);
    lastSocket().receive({ type: 'error', code: 'rate_limited', message: '', retry_after_ms: 900 });
    expect(client.getSnapshot()).toMatchObject({ muted: true, refusal: null });
    client.setMuted(false);
    lastSocket().receive({ type: 'error', code: 'rate_limited', message: '', retry_after_ms: 900 });
    expect(client.getSnapshot()).toMatchObject({ muted: true, refusal: { code: 'rate_limited' } });
  });

  it('other errors leave the mute state alone', async () => {
    const { client } = await joinedClient();
    lastSocket().receive({ type: 'error', code: 'bad_request', message: 'x' });
    expect(client.getSnapshot()).toMatchObject({ muted: false, refusal: null });
  });

  it('follows the server muting us when we become a listener', async () => {
    const { client, mics } = await joinedClient();
    const self = { user_id: 2, username: 'ann', muted: true, muted_by: 'self', speaking: false };
    lastSocket().receive({ type: 'member', event: 'updated', member: { ...self, speaker: true } });
    expect(client.getSnapshot().muted).toBe(false);
    lastSocket().receive({ type: 'member', event: 'updated', member: { ...self, speaker: false } });
    expect(client.getSnapshot()).toMatchObject({
      muted: true,
      mutedBy: 'self',
      transmitting: false,
    });
    expect(mics[0]!.track.enabled).toBe(false);
  });
});
