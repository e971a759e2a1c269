// Fakes for VoiceClient tests: a manual clock, a WebSocket and an RTCPeerConnection that record
// what the client does and let the test play the server, a scripted REST API and microphone.
import { vi } from 'vitest';
import type { MicOptions, MicPipeline } from '../micPipeline';
import type { RemoteAudio } from '../remoteAudio';
import { kDefaultVoiceSettings } from '../settings';
import type { JoinResponse } from '../types';
import type { VoiceClientDeps } from '../VoiceClient';
import type { VoiceApi } from '../voiceApi';

/** Timers that only fire when the test advances time. */
export class ManualClock {
  now = 1_000;
  private nextId = 1;
  private timers = new Map<number, { at: number; fn: () => void }>();
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers.delete(id as number);
  };
  /** Advances time, firing due timers in order; awaits microtasks between them. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
      await flush();
    }
    this.now = end;
    await flush();
  }
  /** Returns the delays of pending timers. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.now);
  }
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closedByClient = false;
  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.closedByClient = true;
    this.readyState = 3;
  }
  /** Test side: the connection opens. */
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  /** Test side: the server sends a message. */
  receive(message: unknown) {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }
  /** Test side: the server drops the connection. */
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
}

export class FakePeerConnection {
  static instances: FakePeerConnection[] = [];
  transceivers: {
    direction: string;
    track: unknown;
    mid: string;
    sender: { replaceTrack: ReturnType<typeof vi.fn> };
  }[] = [];
  iceGatheringState = 'complete';
  connectionState = 'new';
  localDescription: { sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  ontrack: ((e: unknown) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  closed = false;
  constructor(readonly config: RTCConfiguration) {
    FakePeerConnection.instances.push(this);
  }
  addTransceiver(trackOrKind: unknown, init: { direction: string }) {
    const t = {
      direction: init.direction,
      track: trackOrKind,
      mid: String(this.transceivers.length),
      sender: { replaceTrack: vi.fn(async () => {}) },
    };
    this.transceivers.push(t);
    return t;
  }
  async createOffer() {
    return { type: 'offer', sdp: `v=0 fake offer with ${this.transceivers.length} m-lines` };
  }
  async setLocalDescription(d: { sdp: string }) {
    this.localDescription = d;
  }
  async setRemoteDescription(d: { type: string; sdp: string }) {
    this.remoteDescription = d;
  }
  addEventListener() {}
  removeEventListener() {}
  async getStats() {
    return new Map<string, Record<string, unknown>>([
      ['p', { type: 'candidate-pair', nominated: true, currentRoundTripTime: 0.02 }],
      [
        'i',
        { type: 'inbound-rtp', kind: 'audio', packetsLost: 0, packetsReceived: 100, jitter: 0.003 },
      ],
    ]);
  }
  close() {
    this.closed = true;
  }
  /** Test side: a remote track arrives on transceiver `mid`. */
  fireTrack(mid: string, track: unknown) {
    this.ontrack?.({ transceiver: { mid }, track });
  }
  /** Test side: ICE/DTLS state changes. */
  setConnectionState(state: string) {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }
}

export function joinReply(overrides: Partial<JoinResponse> = {}): JoinResponse {
  return {
    room_id: 'stream-1',
    sfu_url: 'ws://127.0.0.1:8080/rtc',
    token: 'room-jwt',
    expires_at: '2026-11-25T18:00:00Z',
    roster: [],
    settings: { ...kDefaultVoiceSettings },
    heartbeat_interval_ms: 10_000,
    ...overrides,
  };
}

export const kJoined = {
  type: 'joined',
  answer: 'v=0 fake answer',
  participant_id: 'p1',
  user_id: 2,
  slots: [1, 2, 3, 4].map((mid, index) => ({ index, mid: String(mid), ssrc: 1000 + index })),
  members: [
    { user_id: 2, username: 'ann', muted: false, muted_by: null, speaking: false },
    { user_id: 3, username: 'bob', muted: false, muted_by: null, speaking: false },
  ],
};

export interface FakeMic extends MicPipeline {
  options: MicOptions;
  stopped: boolean;
  gain: number;
}

/** Builds VoiceClient dependencies from fakes; `micError` makes getUserMedia reject. */
export function fakeDeps(clock: ManualClock, { micError }: { micError?: string } = {}) {
  const api = {
    join: vi.fn<VoiceApi['join']>(async () => joinReply()),
    leave: vi.fn<VoiceApi['leave']>(async () => {}),
    heartbeat: vi.fn<VoiceApi['heartbeat']>(async () => {}),
    leaveKeepalive: vi.fn<VoiceApi['leaveKeepalive']>(),
  };
  const mics: FakeMic[] = [];
  const audio = {
    played: new Map<number, unknown>(),
    volumes: new Map<number, number>(),
    muted: false,
    disposed: 0,
    /** Slots unlocked, and whether it happened before the REST join was answered. */
    unlocked: 0,
  };
  const deps: VoiceClientDeps = {
    api,
    openMic: vi.fn(async (options: MicOptions) => {
      if (micError) throw new DOMException('mic refused', micError);
      const mic: FakeMic = {
        options,
        stopped: false,
        gain: options.gainPercent,
        track: {
          enabled: true,
          kind: 'audio',
          id: `mic-${mics.length}`,
        } as unknown as MediaStreamTrack,
        stream: {} as MediaStream,
        deviceId: options.deviceId || 'default',
        setGain(g) {
          this.gain = g;
        },
        level: () => 0.5,
        stop() {
          this.stopped = true;
        },
      };
      mics.push(mic);
      return mic;
    }),
    createPeerConnection: (config) =>
      new FakePeerConnection(config) as unknown as RTCPeerConnection,
    createWebSocket: (url) => new FakeWebSocket(url) as unknown as WebSocket,
    createRemoteAudio: (): RemoteAudio => ({
      unlock: (slots) => {
        audio.unlocked = slots;
      },
      play: (i, t) => audio.played.set(i, t),
      setVolume: (i, v) => audio.volumes.set(i, v),
      setMuted: (m) => {
        audio.muted = m;
      },
      dispose: () => {
        audio.disposed++;
      },
    }),
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    now: () => clock.now,
    random: () => 0.5,
  };
  return { deps, api, mics, audio };
}

/** Returns the newest fake socket and peer connection. */
export function lastSocket(): FakeWebSocket {
  return FakeWebSocket.instances[FakeWebSocket.instances.length - 1]!;
}
export function lastPeer(): FakePeerConnection {
  return FakePeerConnection.instances[FakePeerConnection.instances.length - 1]!;
}
