import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/ApiError';
import {
  FakePeerConnection,
  FakeWebSocket,
  ManualClock,
  fakeDeps,
  flush,
  joinReply,
  kJoined,
  lastPeer,
  lastSocket,
} from './testing/fakes';
import { kMediaConnectTimeoutMs } from './RtcConnection';
import { VoiceClient, kUnreachableMessage, resolveSfuUrl } from './VoiceClient';

let clock: ManualClock;

beforeEach(() => {
  clock = new ManualClock();
  FakeWebSocket.instances = [];
  FakePeerConnection.instances = [];
});

/**
 * Starts a join and plays the server until `joined`, then (unless `media` is false) lets ICE and
 * DTLS connect, as a browser would.
 */
async function joinAndAnswer(client: VoiceClient, joined: unknown = kJoined, media = true) {
  const done = client.join();
  await flush();
  lastSocket().open();
  lastSocket().receive(joined);
  await done;
  if (media) lastPeer().setConnectionState('connected');
}

describe('VoiceClient join', () => {
  it('joins: REST join, mic with the settings, one sendrecv + 4 recvonly transceivers, /rtc join', async () => {
    const { deps, api, mics } = fakeDeps(clock);
    api.join.mockResolvedValue(
      joinReply({
        settings: {
          ...joinReply().settings,
          input_gain: 150,
          input_device_id: 'usb',
          noise_suppression: false,
        },
      }),
    );
    const client = new VoiceClient(1, deps);
    const phases: string[] = [];
    client.subscribe(() => phases.push(client.getSnapshot().phase));
    const done = client.join();
    expect(client.getSnapshot().phase).toBe('joining');
    await flush();
    expect(api.join).toHaveBeenCalledWith(1);
    expect(mics[0]!.options).toMatchObject({
      deviceId: 'usb',
      gainPercent: 150,
      noiseSuppression: false,
    });
    const pc = lastPeer();
    expect(pc.config).toEqual({ iceServers: [] });
    expect(pc.transceivers.map((t) => t.direction)).toEqual([
      'sendrecv',
      'recvonly',
      'recvonly',
      'recvonly',
      'recvonly',
    ]);
    expect(pc.transceivers[0]!.track).toBe(mics[0]!.track);
    const ws = lastSocket();
    expect(ws.url).toBe('ws://127.0.0.1:8080/rtc');
    ws.open();
    expect(ws.sent[0]).toEqual({
      type: 'join',
      token: 'room-jwt',
      offer: pc.localDescription!.sdp,
    });
    ws.receive(kJoined);
    await done;
    const s = client.getSnapshot();
    expect(s.phase).toBe('connected');
    expect(s.mic).toBe('granted');
    expect(s.selfUserId).toBe(2);
    expect(s.participants.map((p) => p.username)).toEqual(['ann', 'bob']);
    expect(pc.remoteDescription).toEqual({ type: 'answer', sdp: 'v=0 fake answer' });
    expect(phases).toContain('joining');
  });

  it('routes remote tracks to slots by mid and follows slot events for per-user volume', async () => {
    const { deps, audio } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    const track = { id: 'remote' };
    lastPeer().fireTrack('2', track);
    expect(audio.played.get(1)).toBe(track);
    lastSocket().receive({ type: 'slot', index: 1, user_id: 3 });
    expect(client.getSnapshot().slots[1]).toBe(3);
    client.setParticipantVolume(3, 40);
    expect(audio.volumes.get(1)).toBeCloseTo(0.4);
    lastSocket().receive({ type: 'slot', index: 1, user_id: 4 });
    expect(audio.volumes.get(1)).toBeCloseTo(1);
  });

  it('applies slot events that arrive before joined once joined is handled', async () => {
    const { deps } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    const done = client.join();
    await flush();
    lastSocket().open();
    lastSocket().receive({ type: 'slot', index: 2, user_id: 3 });
    lastSocket().receive(kJoined);
    await done;
    expect(client.getSnapshot().slots).toEqual([null, null, 3, null]);
  });

  it('tracks speakers, members and mutes from /rtc and ignores garbage frames', async () => {
    const { deps } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    const ws = lastSocket();
    ws.receive('not json');
    ws.receive({ type: 'speakers' });
    ws.receive({ type: 'speakers', speakers: [{ user_id: 3, level: 0.7 }] });
    expect(client.getSnapshot().participants.find((p) => p.userId === 3)).toMatchObject({
      speaking: true,
      level: 0.7,
    });
    ws.receive({
      type: 'member',
      event: 'joined',
      member: { user_id: 5, username: 'cy', muted: false, muted_by: null, speaking: false },
    });
    ws.receive({ type: 'muted', user_id: 3, muted: true, by: 'host' });
    ws.receive({
      type: 'member',
      event: 'left',
      member: { user_id: 2, username: 'ann', muted: false },
    });
    const list = client.getSnapshot().participants;
    expect(list.map((p) => p.userId)).toEqual([3, 5]);
    expect(list[0]).toMatchObject({ muted: true, mutedBy: 'host' });
  });

  it('joins listen-only when the microphone is denied', async () => {
    const { deps } = fakeDeps(clock, { micError: 'NotAllowedError' });
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    const s = client.getSnapshot();
    expect(s).toMatchObject({
      phase: 'connected',
      mic: 'denied',
      listenOnly: true,
      transmitting: false,
    });
    expect(lastPeer().transceivers[0]).toMatchObject({ direction: 'sendrecv', track: 'audio' });
  });

  it.each([
    ['NotFoundError', 'no-device'],
    ['NotReadableError', 'busy'],
  ])('classifies %s as %s', async (name, state) => {
    const { deps } = fakeDeps(clock, { micError: name });
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    expect(client.getSnapshot().mic).toBe(state);
  });

  it('leaving while the REST join is pending gives the seat back and opens nothing', async () => {
    const { deps, api, mics } = fakeDeps(clock);
    let answer!: (r: ReturnType<typeof joinReply>) => void;
    api.join.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const client = new VoiceClient(1, deps);
    const done = client.join();
    await client.leave();
    answer(joinReply());
    await done;
    expect(api.leave).toHaveBeenCalledTimes(2);
    expect(mics).toHaveLength(0);
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(client.getSnapshot().phase).toBe('idle');
  });

  it('leaving during the microphone prompt releases the microphone', async () => {
    const { deps, mics } = fakeDeps(clock);
    const open = deps.openMic;
    let release!: () => void;
    deps.openMic = async (options) => {
      await new Promise<void>((resolve) => (release = resolve));
      return open(options);
    };
    const client = new VoiceClient(1, deps);
    const done = client.join();
    await flush();
    await client.leave();
    release();
    await done;
    expect(mics[0]!.stopped).toBe(true);
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('takes a fresh seat and token when the microphone prompt took long', async () => {
    const { deps, api } = fakeDeps(clock);
    const open = deps.openMic;
    deps.openMic = async (options) => {
      clock.now += 20_000;
      return open(options);
    };
    api.join
      .mockResolvedValueOnce(joinReply({ token: 'old' }))
      .mockResolvedValueOnce(joinReply({ token: 'fresh' }));
    const client = new VoiceClient(1, deps);
    const done = client.join();
    await flush();
    lastSocket().open();
    expect(lastSocket().sent[0]).toMatchObject({ type: 'join', token: 'fresh' });
    lastSocket().receive(kJoined);
    await done;
    expect(client.getSnapshot().phase).toBe('connected');
  });

  it('fails a join the server refuses and stays idle with the reason', async () => {
    const { deps, api } = fakeDeps(clock);
    api.join.mockRejectedValue(
      new ApiError(403, 'voice_disabled', 'Voice chat is off for this stream.'),
    );
    const client = new VoiceClient(1, deps);
    await client.join();
    expect(client.getSnapshot()).toMatchObject({
      phase: 'idle',
      error: 'Voice chat is off for this stream.',
    });
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('fails when /rtc refuses the token, releases the mic and gives the seat back', async () => {
    const { deps, api, mics } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    const done = client.join();
    await flush();
    lastSocket().open();
    lastSocket().receive({ type: 'error', code: 'invalid_token', message: 'bad token' });
    lastSocket().drop();
    await done;
    expect(client.getSnapshot()).toMatchObject({ phase: 'idle', error: 'bad token' });
    expect(mics[0]!.stopped).toBe(true);
    expect(lastPeer().closed).toBe(true);
    expect(api.leave).toHaveBeenCalledWith(1);
  });

  it('times out when the server never answers the join', async () => {
    const { deps } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    const done = client.join();
    await flush();
    lastSocket().open();
    await clock.advance(10_000);
    await done;
    expect(client.getSnapshot().phase).toBe('idle');
    expect(client.getSnapshot().error).toMatch(/did not answer/);
  });
});

describe('VoiceClient controls', () => {
  it('mute disables the track and tells the server; host mute cannot be lifted locally', async () => {
    const { deps, mics } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    client.setMuted(true);
    expect(mics[0]!.track.enabled).toBe(false);
    expect(lastSocket().sent.at(-1)).toEqual({ type: 'mute', muted: true });
    client.setMuted(false);
    expect(mics[0]!.track.enabled).toBe(true);
    lastSocket().receive({ type: 'muted', user_id: 2, muted: true, by: 'host' });
    expect(client.getSnapshot()).toMatchObject({
      muted: true,
      mutedBy: 'host',
      transmitting: false,
    });
    client.setMuted(false);
    expect(client.getSnapshot().muted).toBe(true);
  });

  it('push-to-talk sends only while the key is held', async () => {
    const { deps, api, mics } = fakeDeps(clock);
    api.join.mockResolvedValue(
      joinReply({ settings: { ...joinReply().settings, push_to_talk: true, ptt_key: 'KeyV' } }),
    );
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    expect(mics[0]!.track.enabled).toBe(false);
    client.setPttPressed(true);
    expect(client.getSnapshot().transmitting).toBe(true);
    expect(mics[0]!.track.enabled).toBe(true);
    client.setPttPressed(false);
    expect(mics[0]!.track.enabled).toBe(false);
  });

  it('deafen silences remote audio and mutes; undeafen restores the earlier mute state', async () => {
    const { deps, audio } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    client.setDeafened(true);
    expect(audio.muted).toBe(true);
    expect(client.getSnapshot().muted).toBe(true);
    client.setDeafened(false);
    expect(audio.muted).toBe(false);
    expect(client.getSnapshot().muted).toBe(false);
  });

  it('mute_on_join starts muted', async () => {
    const { deps, api, mics } = fakeDeps(clock);
    api.join.mockResolvedValue(
      joinReply({ settings: { ...joinReply().settings, mute_on_join: true } }),
    );
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    expect(client.getSnapshot().muted).toBe(true);
    expect(mics[0]!.track.enabled).toBe(false);
  });

  it('switches the input device with replaceTrack, without a new connection', async () => {
    const { deps, mics } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    await client.switchDevice('usb-2');
    expect(mics).toHaveLength(2);
    expect(mics[1]!.options.deviceId).toBe('usb-2');
    expect(lastPeer().transceivers[0]!.sender.replaceTrack).toHaveBeenCalledWith(mics[1]!.track);
    expect(mics[0]!.stopped).toBe(true);
    expect(FakePeerConnection.instances).toHaveLength(1);
  });

  it('applies settings live: gain and output volume', async () => {
    const { deps, mics, audio } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    lastSocket().receive({ type: 'slot', index: 0, user_id: 3 });
    client.applySettings({ ...client.getSnapshot().settings, input_gain: 60, output_volume: 50 });
    expect(mics[0]!.gain).toBe(60);
    expect(audio.volumes.get(0)).toBeCloseTo(0.5);
  });
  it('reopens the microphone with new processing and swaps the track live', async () => {
    const { deps, mics } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    client.applySettings({ ...client.getSnapshot().settings, noise_suppression: false });
    await flush();
    expect(mics).toHaveLength(2);
    expect(mics[1]!.options.noiseSuppression).toBe(false);
    expect(lastPeer().transceivers[0]!.sender.replaceTrack).toHaveBeenCalledWith(mics[1]!.track);
  });
});

describe('VoiceClient heartbeats, stats, reconnect and leave', () => {
  it('sends heartbeats and pings, and rates quality from stats', async () => {
    const { deps, api } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    await clock.advance(10_000);
    expect(api.heartbeat).toHaveBeenCalledTimes(1);
    expect(lastSocket().sent.some((m) => m.type === 'ping')).toBe(true);
    expect(client.getSnapshot().stats).toMatchObject({
      rttMs: 20,
      lossDown: 0,
      quality: 'excellent',
    });
    lastSocket().receive({ type: 'stats', rtt_ms: 30, loss_up: 0.1, loss_down: 0, jitter_ms: 2 });
    expect(client.getSnapshot().stats.quality).toBe('poor');
  });

  it('reconnects with capped exponential backoff after the socket drops, keeping the mic', async () => {
    const { deps, api, mics } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    api.join.mockRejectedValue(new ApiError(0, 'network_error', 'offline'));
    lastSocket().drop();
    expect(client.getSnapshot()).toMatchObject({ phase: 'reconnecting', reconnectAttempt: 1 });
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      delays.push(Math.min(...clock.pending()));
      await clock.advance(delays[i]!);
    }
    // random() = 0.5 → 3/4 of min(15 s, 500 ms · 2^n).
    expect(delays).toEqual([375, 750, 1500, 3000, 6000, 11250, 11250, 11250]);
    expect(client.getSnapshot().phase).toBe('reconnecting');
    api.join.mockResolvedValue(joinReply());
    await clock.advance(Math.min(...clock.pending()));
    lastSocket().open();
    lastSocket().receive(kJoined);
    await flush();
    expect(client.getSnapshot()).toMatchObject({ phase: 'connected', reconnectAttempt: 0 });
    expect(mics).toHaveLength(1);
    expect(lastPeer().transceivers[0]!.track).toBe(mics[0]!.track);
  });

  it('reconnects when ICE/DTLS fails after media had connected', async () => {
    const { deps } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    lastPeer().setConnectionState('disconnected');
    expect(client.getSnapshot()).toMatchObject({ phase: 'connected', media: 'interrupted' });
    lastPeer().setConnectionState('failed');
    expect(client.getSnapshot()).toMatchObject({ phase: 'reconnecting', failure: null });
  });

  it('unlocks the slot audio inside the Join click and keeps those elements across reconnects', async () => {
    const { deps, api, audio } = fakeDeps(clock);
    let created = 0;
    const create = deps.createRemoteAudio;
    deps.createRemoteAudio = () => {
      created++;
      return create();
    };
    const client = new VoiceClient(1, deps);
    const done = client.join();
    // Synchronously, before the REST join is answered: still within the click's user activation.
    expect(audio.unlocked).toBe(4);
    expect(created).toBe(1);
    await flush();
    lastSocket().open();
    lastSocket().receive(kJoined);
    await done;
    api.join.mockResolvedValue(joinReply());
    lastSocket().drop();
    await clock.advance(Math.min(...clock.pending()));
    lastSocket().open();
    lastSocket().receive(kJoined);
    await flush();
    expect(client.getSnapshot().phase).toBe('connected');
    expect(created).toBe(1);
    expect(audio.disposed).toBe(0);
  });

  it('rates no quality until media connects: the /rtc ping alone is not "excellent"', async () => {
    const { deps } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client, kJoined, false);
    await clock.advance(2_000);
    expect(client.getSnapshot()).toMatchObject({ phase: 'connected', media: 'connecting' });
    expect(client.getSnapshot().stats.quality).toBe('lost');
    lastPeer().setConnectionState('connected');
    expect(client.getSnapshot().media).toBe('connected');
    expect(client.getSnapshot().stats.quality).toBe('excellent');
  });

  it('ICE failing before media ever connected ends the call as unreachable, seat given back', async () => {
    const { deps, api, mics } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client, kJoined, false);
    lastPeer().setConnectionState('checking');
    lastPeer().setConnectionState('failed');
    expect(client.getSnapshot()).toMatchObject({
      phase: 'ended',
      failure: 'unreachable',
      error: kUnreachableMessage,
    });
    expect(kUnreachableMessage).toBe('Cannot reach the voice server (UDP and TCP blocked?)');
    expect(lastPeer().closed).toBe(true);
    expect(mics[0]!.stopped).toBe(true);
    await flush();
    expect(api.leave).toHaveBeenCalledWith(1);
    // No silent retry loop: nothing is scheduled.
    expect(clock.pending()).toEqual([]);
    // Retry is a new join; it clears the failure.
    await joinAndAnswer(client);
    expect(client.getSnapshot()).toMatchObject({
      phase: 'connected',
      media: 'connected',
      failure: null,
      error: null,
    });
  });

  it('media that stays in checking past the connect timeout counts as unreachable', async () => {
    const { deps } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client, kJoined, false);
    lastPeer().setConnectionState('checking');
    await clock.advance(kMediaConnectTimeoutMs - 1);
    expect(client.getSnapshot().phase).toBe('connected');
    await clock.advance(1);
    expect(client.getSnapshot()).toMatchObject({ phase: 'ended', failure: 'unreachable' });
  });

  it('the server ending a never-connected session on its consent timer is unreachable, not a retry loop', async () => {
    const { deps } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client, kJoined, false);
    lastPeer().setConnectionState('checking');
    // chorusd's consent timeout fires before the client's connect timer (both 30 s, theirs
    // counted from the join): error timeout, then the socket closes.
    lastSocket().receive({ type: 'error', code: 'timeout', message: 'media connectivity lost' });
    lastSocket().drop();
    expect(client.getSnapshot()).toMatchObject({
      phase: 'ended',
      failure: 'unreachable',
      error: kUnreachableMessage,
    });
    expect(clock.pending()).toEqual([]);
  });

  it('a consent timeout after media had connected still reconnects', async () => {
    const { deps } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    lastSocket().receive({ type: 'error', code: 'timeout', message: 'media connectivity lost' });
    lastSocket().drop();
    expect(client.getSnapshot().failure).not.toBe('unreachable');
    expect(clock.pending().length).toBeGreaterThan(0);
  });

  it('stops reconnecting when the rejoin is refused for good (kicked)', async () => {
    const { deps, api } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    api.join.mockRejectedValue(
      new ApiError(403, 'kicked', 'You were removed from this voice channel.'),
    );
    lastSocket().drop();
    await clock.advance(1_000);
    expect(client.getSnapshot()).toMatchObject({
      phase: 'ended',
      error: 'You were removed from this voice channel.',
    });
    expect(clock.pending()).toEqual([]);
  });

  it('ends without reconnecting when replaced by another tab or kicked over /rtc', async () => {
    const { deps } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    lastSocket().receive({ type: 'error', code: 'replaced', message: 'replaced' });
    lastSocket().drop();
    expect(client.getSnapshot().phase).toBe('ended');
    const other = new VoiceClient(1, fakeDeps(clock).deps);
    await joinAndAnswer(other);
    lastSocket().receive({ type: 'kicked', reason: 'spam' });
    expect(other.getSnapshot()).toMatchObject({
      phase: 'ended',
      error: expect.stringMatching(/removed.*spam/),
    });
  });

  it('ends when the server closes the membership, and rejoins after a presence timeout', async () => {
    const { deps } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    lastSocket().receive({ type: 'closed', reason: 'voice_disabled' });
    expect(client.getSnapshot()).toMatchObject({
      phase: 'ended',
      error: 'Voice chat was turned off for this stream.',
    });
    const other = new VoiceClient(1, fakeDeps(clock).deps);
    await joinAndAnswer(other);
    lastSocket().receive({ type: 'closed', reason: 'timeout' });
    lastSocket().drop();
    expect(other.getSnapshot().phase).toBe('reconnecting');
  });

  it('passes the join response TURN relays to the peer connection', async () => {
    const { deps, api } = fakeDeps(clock);
    const relay = { urls: ['turn:10.78.0.1:3478?transport=udp'], username: '1:2', credential: 'c' };
    api.join.mockResolvedValue(joinReply({ ice_servers: [relay] }));
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    expect(lastPeer().config.iceServers).toEqual([relay]);
  });

  it('a refused self-unmute shows the host mute', async () => {
    const { deps } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    lastSocket().receive({ type: 'error', code: 'muted_by_host', message: 'muted by host' });
    expect(client.getSnapshot()).toMatchObject({ muted: true, mutedBy: 'host' });
  });

  it('rejoins when a heartbeat says the seat was lost', async () => {
    const { deps, api } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    api.heartbeat.mockRejectedValue(new ApiError(409, 'not_joined', 'not joined'));
    await clock.advance(10_000);
    expect(client.getSnapshot().phase).toBe('reconnecting');
  });

  it('leave sends leave on /rtc, POSTs leave and releases everything', async () => {
    const { deps, api, mics, audio } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    const ws = lastSocket();
    await client.leave();
    expect(ws.sent.at(-1)).toEqual({ type: 'leave' });
    expect(ws.closedByClient).toBe(true);
    expect(lastPeer().closed).toBe(true);
    expect(api.leave).toHaveBeenCalledWith(1);
    expect(mics[0]!.stopped).toBe(true);
    expect(audio.disposed).toBe(1);
    expect(client.getSnapshot()).toMatchObject({ phase: 'idle', participants: [] });
    expect(clock.pending()).toEqual([]);
  });

  it('leaves with a keepalive request on page hide', async () => {
    const { deps, api } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    client.leaveOnPageHide();
    expect(api.leaveKeepalive).toHaveBeenCalledWith(1);
    expect(client.getSnapshot().phase).toBe('idle');
  });

  it('leaving during reconnect cancels the pending attempt', async () => {
    const { deps, api } = fakeDeps(clock);
    const client = new VoiceClient(1, deps);
    await joinAndAnswer(client);
    lastSocket().drop();
    await client.leave();
    await clock.advance(60_000);
    expect(api.join).toHaveBeenCalledTimes(1);
    expect(client.getSnapshot().phase).toBe('idle');
  });
});

describe('resolveSfuUrl', () => {
  it('turns relative and http URLs into ws URLs', () => {
    expect(resolveSfuUrl('/rtc', 'https://chorus.example/streams/1')).toBe(
      'wss://chorus.example/rtc',
    );
    expect(resolveSfuUrl('ws://127.0.0.1:9/rtc', 'http://x/')).toBe('ws://127.0.0.1:9/rtc');
  });
});
