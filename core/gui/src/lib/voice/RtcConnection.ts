// One media connection: a RTCPeerConnection (one sendrecv audio transceiver + K recvonly ones)
// signalled over the /rtc WebSocket (rtc-protocol contract in docs/api.md). A VoiceClient makes
// a new one for every (re)connect attempt; failures are reported once through `onClosed`.
import { parseServerMessage } from './rtcMessages';
import type { RtcClientMessage, RtcServerMessage } from './types';

export type CreatePeerConnection = (config: RTCConfiguration) => RTCPeerConnection;
export type CreateWebSocket = (url: string) => WebSocket;

/** Receive slots per participant (DESIGN.md: K = 4, setting rtc.audio_slots). */
export const kReceiveSlots = 4;
/** How long ICE gathering may take before the offer goes out with what it has. */
export const kIceGatheringTimeoutMs = 3_000;
/** How long the server may take to answer the join. */
export const kJoinTimeoutMs = 10_000;
/**
 * How long ICE and DTLS may take after the answer before the media path counts as unreachable
 * (browsers usually report `failed` sooner; this bounds a connection that stays `checking`).
 */
export const kMediaConnectTimeoutMs = 30_000;
/** The `onClosed` code of a media connection that never got through (ICE failed or timed out). */
export const kMediaUnreachableCode = 'media_unreachable';

/** The media path of a signalled connection: ICE/DTLS not done yet, up, or lost for a moment. */
export type MediaState = 'connecting' | 'connected' | 'interrupted';

export interface RtcConnectionOptions {
  url: string;
  token: string;
  /** The processed microphone track, or null to join listen-only. */
  track: MediaStreamTrack | null;
  stream: MediaStream | null;
  createPeerConnection: CreatePeerConnection;
  createWebSocket: CreateWebSocket;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (id: unknown) => void;
  slots?: number;
  /** TURN relays from the join response, passed to the RTCPeerConnection as they are. */
  iceServers?: RTCIceServer[];
}

export interface RtcConnectionEvents {
  /** Every decoded server message after `joined`. */
  onMessage(message: RtcServerMessage): void;
  /** A remote track arrived on receive slot `index`. */
  onTrack(index: number, track: MediaStreamTrack): void;
  /**
   * The connection ended for good: `fatalCode` is the server's error code when it sent one, or
   * kMediaUnreachableCode when the media path never connected.
   */
  onClosed(reason: string, fatalCode: string | null): void;
  /** The media path (RTCPeerConnection.connectionState) changed. */
  onMediaState?(state: MediaState): void;
}

type JoinedMessage = Extract<RtcServerMessage, { type: 'joined' }>;

export class RtcConnection {
  private readonly options: RtcConnectionOptions;
  private readonly events: RtcConnectionEvents;
  private pc: RTCPeerConnection | null = null;
  private ws: WebSocket | null = null;
  private sender: RTCRtpSender | null = null;
  private slotByMid = new Map<string, number>();
  private pendingTracks: RTCTrackEvent[] = [];
  /** Events that arrived before `joined` (the server may send slot events first). */
  private earlyMessages: RtcServerMessage[] = [];
  /** Messages are held until the caller has applied `joined` (deliverEarlyMessages). */
  private holding = true;
  private closed = false;
  private lastError: { code: string; message: string } | null = null;
  private mediaConnected = false;
  private mediaTimer: unknown = null;

  constructor(options: RtcConnectionOptions, events: RtcConnectionEvents) {
    this.options = options;
    this.events = events;
  }

  /**
   * Builds the peer connection, sends the offer with the token and resolves with the server's
   * `joined` message once the answer is applied. Rejects (and closes) on any failure.
   */
  async start(): Promise<JoinedMessage> {
    const { createPeerConnection, track, stream } = this.options;
    const pc = createPeerConnection({ iceServers: this.options.iceServers ?? [] });
    this.pc = pc;
    const send = pc.addTransceiver(track ?? 'audio', {
      direction: 'sendrecv',
      streams: stream ? [stream] : [],
    });
    this.sender = send.sender;
    for (let i = 0; i < (this.options.slots ?? kReceiveSlots); i++) {
      pc.addTransceiver('audio', { direction: 'recvonly' });
    }
    pc.ontrack = (event) => this.routeTrack(event);
    pc.onconnectionstatechange = () => this.onPeerState(pc.connectionState);
    await pc.setLocalDescription(await pc.createOffer());
    await this.waitForGathering(pc);
    if (this.closed) throw new Error('closed');
    const offer = pc.localDescription?.sdp ?? '';
    const joined = await this.signal(offer);
    joined.slots.forEach((slot) => this.slotByMid.set(slot.mid, slot.index));
    await pc.setRemoteDescription({ type: 'answer', sdp: joined.answer });
    if (!this.mediaConnected && !this.closed) {
      this.mediaTimer = this.options.setTimeout(() => {
        this.mediaTimer = null;
        this.fail('the media connection did not get through in time', kMediaUnreachableCode);
      }, kMediaConnectTimeoutMs);
    }
    const early = this.pendingTracks;
    this.pendingTracks = [];
    early.forEach((event) => this.routeTrack(event));
    return joined;
  }

  /** True once ICE and DTLS have connected (RTCPeerConnection.connectionState 'connected'). */
  isMediaConnected(): boolean {
    return this.mediaConnected;
  }

  /** Delivers (once) the events that came before `joined`, after the caller applied `joined`. */
  deliverEarlyMessages(): void {
    this.holding = false;
    const early = this.earlyMessages;
    this.earlyMessages = [];
    early.forEach((message) => !this.closed && this.events.onMessage(message));
  }

  /** Sends one message if the socket is open; returns whether it was sent. */
  send(message: RtcClientMessage): boolean {
    if (this.ws?.readyState !== 1) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** Swaps the microphone track without renegotiation. */
  async replaceTrack(track: MediaStreamTrack | null): Promise<void> {
    await this.sender?.replaceTrack(track);
  }

  /** Returns RTT (ms) and receive loss (0..1) from the browser's WebRTC statistics. */
  async readStats(): Promise<{
    rttMs: number | null;
    lossDown: number | null;
    jitterMs: number | null;
  }> {
    if (!this.pc) return { rttMs: null, lossDown: null, jitterMs: null };
    const report = await this.pc.getStats();
    let rttMs: number | null = null;
    let lost = 0;
    let received = 0;
    let jitter: number | null = null;
    report.forEach((s: Record<string, unknown>) => {
      if (
        s.type === 'candidate-pair' &&
        s.nominated &&
        typeof s.currentRoundTripTime === 'number'
      ) {
        rttMs = s.currentRoundTripTime * 1000;
      } else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        lost += typeof s.packetsLost === 'number' ? Math.max(0, s.packetsLost) : 0;
        received += typeof s.packetsReceived === 'number' ? s.packetsReceived : 0;
        if (typeof s.jitter === 'number') jitter = Math.max(jitter ?? 0, s.jitter * 1000);
      } else if (
        s.type === 'remote-inbound-rtp' &&
        rttMs === null &&
        typeof s.roundTripTime === 'number'
      ) {
        rttMs = s.roundTripTime * 1000;
      }
    });
    const total = lost + received;
    return { rttMs, lossDown: total > 0 ? lost / total : null, jitterMs: jitter };
  }

  /** Says goodbye to the server (when `leave`) and releases everything; idempotent. */
  close(leave = false): void {
    if (leave) this.send({ type: 'leave' });
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.mediaTimer !== null) this.options.clearTimeout(this.mediaTimer);
    this.mediaTimer = null;
    if (this.ws) {
      this.ws.onmessage = null;
      this.ws.onclose = null;
      this.ws.onerror = null;
      try {
        this.ws.close();
      } catch {
        // Already closing.
      }
    }
    if (this.pc) {
      this.pc.ontrack = null;
      this.pc.onconnectionstatechange = null;
      this.pc.close();
    }
  }

  private fail(reason: string, code: string | null): void {
    if (this.closed) return;
    this.shutdown();
    this.events.onClosed(reason, code);
  }

  /**
   * Follows the peer connection: `connected` stops the connect timer; `failed` before any
   * `connected` means no candidate pair got through (UDP and TCP blocked, or the announced
   * address unreachable), which a plain reconnect would only repeat.
   */
  private onPeerState(state: RTCPeerConnectionState): void {
    if (this.closed) return;
    if (state === 'connected') {
      this.mediaConnected = true;
      if (this.mediaTimer !== null) this.options.clearTimeout(this.mediaTimer);
      this.mediaTimer = null;
      this.events.onMediaState?.('connected');
    } else if (state === 'disconnected' && this.mediaConnected) {
      this.events.onMediaState?.('interrupted');
    } else if (state === 'failed') {
      if (this.mediaConnected) this.fail('the media connection failed', null);
      else this.fail('the media connection could not be established', kMediaUnreachableCode);
    }
  }

  private routeTrack(event: RTCTrackEvent): void {
    const mid = event.transceiver?.mid ?? null;
    if (mid === null || !this.slotByMid.has(mid)) {
      if (this.slotByMid.size === 0) this.pendingTracks.push(event);
      return;
    }
    this.events.onTrack(this.slotByMid.get(mid)!, event.track);
  }

  private waitForGathering(pc: RTCPeerConnection): Promise<void> {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      let timer: unknown = null;
      const onChange = () => {
        if (pc.iceGatheringState === 'complete') done();
      };
      const done = () => {
        if (timer !== null) this.options.clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', onChange);
        resolve();
      };
      timer = this.options.setTimeout(done, kIceGatheringTimeoutMs);
      pc.addEventListener('icegatheringstatechange', onChange);
    });
  }

  /** Opens the socket, sends join, resolves with `joined`; later messages go to onMessage. */
  private signal(offer: string): Promise<JoinedMessage> {
    return new Promise((resolve, reject) => {
      const ws = this.options.createWebSocket(this.options.url);
      this.ws = ws;
      let joined = false;
      const timer = this.options.setTimeout(() => {
        if (joined) return;
        this.shutdown();
        reject(new Error('the voice server did not answer in time'));
      }, kJoinTimeoutMs);
      ws.onopen = () => ws.send(JSON.stringify({ type: 'join', token: this.options.token, offer }));
      ws.onmessage = (event: MessageEvent) => {
        const message = parseServerMessage(event.data);
        if (!message) return;
        if (!joined) {
          if (message.type === 'joined') {
            joined = true;
            this.options.clearTimeout(timer);
            resolve(message);
          } else if (message.type === 'error') {
            this.lastError = { code: message.code, message: message.message };
          } else {
            this.earlyMessages.push(message);
          }
          return;
        }
        if (message.type === 'error')
          this.lastError = { code: message.code, message: message.message };
        // Until the caller has applied `joined` (its member list), a member event that came
        // after it would be overwritten by that older list: hold it.
        if (this.holding) this.earlyMessages.push(message);
        else this.events.onMessage(message);
      };
      ws.onerror = () => {};
      ws.onclose = () => {
        const error = this.lastError;
        if (!joined) {
          this.options.clearTimeout(timer);
          this.shutdown();
          const err = new Error(error?.message || 'could not reach the voice server') as Error & {
            code?: string;
          };
          err.code = error?.code;
          reject(err);
          return;
        }
        // The server's consent timer (30 s from the join) ends a session whose ICE never got
        // through before our own connect timer does: that is the same "unreachable", not a
        // dropped connection to retry in a loop.
        const code =
          !this.mediaConnected && error?.code === 'timeout' ? kMediaUnreachableCode : error?.code;
        this.fail(error?.message || 'the voice server connection closed', code ?? null);
      };
    });
  }
}

/** Makes a relative or http(s) sfu_url a ws(s) URL on the page's origin. */
export function resolveSfuUrl(
  url: string,
  base: string = globalThis.location?.href ?? 'http://localhost/',
): string {
  const resolved = new URL(url, base);
  if (resolved.protocol === 'http:') resolved.protocol = 'ws:';
  if (resolved.protocol === 'https:') resolved.protocol = 'wss:';
  return resolved.toString();
}
