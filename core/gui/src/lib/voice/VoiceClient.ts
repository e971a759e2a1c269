// The voice call state machine (no React): idle → joining → connected ⇄ reconnecting → idle |
// ended. It owns the microphone pipeline, the media connection, heartbeats, stats and the
// reconnect schedule; React reads it through subscribe/getSnapshot (useSyncExternalStore).
import { describeError } from '../api/ApiError';
import { backoffDelayMs } from './backoff';
import { reduceRosterMessage } from './callReducer';
import { classifyMicError, micOptions, type MicPipeline } from './micPipeline';
import { fromMember } from './participants';
import type { RemoteAudio } from './remoteAudio';
import {
  RtcConnection,
  kMediaUnreachableCode,
  kReceiveSlots,
  resolveSfuUrl,
  type MediaState,
} from './RtcConnection';
import { StatsTracker, type LocalStats } from './StatsTracker';
import type { JoinResponse, RtcServerMessage, VoiceSettings } from './types';
import { describeUnmuteRefusal, isUnmuteRefusal, type UnmuteRefusalCode } from './unmuteRules';
import { isFatalJoinError } from './voiceApi';
import {
  initialSnapshot,
  kNoStats,
  kUnreachableMessage,
  type VoiceClientDeps,
  type VoiceSnapshot,
} from './voiceState';

export type {
  MicState,
  VoiceClientDeps,
  VoiceFailure,
  VoicePhase,
  VoiceSnapshot,
  VoiceStats,
  UnmuteRefusal,
} from './voiceState';
export { kUnreachableMessage } from './voiceState';
export type { MediaState } from './RtcConnection';
export { micOptions } from './micPipeline';
export { resolveSfuUrl } from './RtcConnection';

export const kDefaultHeartbeatMs = 10_000;
export const kStatsIntervalMs = 2_000;
/** A microphone prompt longer than this re-takes the seat before connecting. */
export const kMicPromptRefreshMs = 5_000;

/** Why the server ended the call, for `closed` messages that end it for good. */
const closedReasons: Record<string, string> = {
  left: 'You left the voice channel (from another tab or window).',
  logout: 'You signed out.',
  voice_disabled: 'Voice chat was turned off for this stream.',
};

export class VoiceClient {
  private snapshot: VoiceSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly deps: VoiceClientDeps;
  private mic: MicPipeline | null = null;
  private conn: RtcConnection | null = null;
  private audio: RemoteAudio | null = null;
  private timers = new Set<unknown>();
  private reconnectTimer: unknown = null;
  private mutedBeforeDeafen = false;
  private stats = new StatsTracker();
  /** Bumped by every join and leave, so an overtaken join knows to stop. */
  private joinSeq = 0;
  /** `lastUnmuteAt` before the latest unmute, restored when the server refuses that unmute. */
  private unmuteBefore: number | null = null;

  constructor(streamId: number, deps: VoiceClientDeps) {
    this.deps = deps;
    this.snapshot = initialSnapshot(streamId);
  }

  /** Registers a listener called after every state change; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Returns the current immutable state. */
  getSnapshot = (): VoiceSnapshot => this.snapshot;

  /** Records what the browser says about the microphone permission before any join. */
  setMicPermission(state: 'prompt' | 'granted' | 'denied' | 'unknown'): void {
    if (this.snapshot.mic === 'unknown' || this.snapshot.mic === 'prompt')
      this.update({ mic: state === 'unknown' ? 'unknown' : state });
  }

  /**
   * Joins: POST …/join, opens the microphone (listen-only when it cannot), connects /rtc.
   * Resolves when connected or when the attempt failed (the snapshot's `error` says why).
   */
  async join(): Promise<void> {
    const { phase } = this.snapshot;
    if (phase !== 'idle' && phase !== 'ended') return;
    const attempt = ++this.joinSeq;
    const current = () => attempt === this.joinSeq && this.snapshot.phase === 'joining';
    this.update({ phase: 'joining', error: null, failure: null, reconnectAttempt: 0 });
    // Still inside the Join click: start the slot elements now, or Safari keeps them silent.
    this.audio?.dispose();
    this.audio = this.deps.createRemoteAudio();
    this.audio.unlock(kReceiveSlots);
    let reply: JoinResponse;
    try {
      reply = await this.deps.api.join(this.snapshot.streamId);
    } catch (error) {
      if (current()) {
        this.audio?.dispose();
        this.audio = null;
        this.update({ phase: 'idle', error: describeError(error) });
      }
      return;
    }
    if (!current()) return this.giveUpSeat();
    const settings = reply.settings;
    this.update({
      settings,
      pushToTalk: settings.push_to_talk,
      muted: settings.mute_on_join || reply.member?.muted === true,
      mutedBy: reply.member?.muted_by_host
        ? 'host'
        : settings.mute_on_join || reply.member?.muted
          ? 'self'
          : null,
    });
    const micStarted = this.deps.now();
    await this.openMic(settings);
    if (!current()) {
      this.mic?.stop();
      this.mic = null;
      return this.giveUpSeat();
    }
    // A long permission prompt may outlast the presence timeout: take a fresh seat and token.
    if (this.deps.now() - micStarted > kMicPromptRefreshMs) {
      try {
        reply = await this.deps.api.join(this.snapshot.streamId);
      } catch (error) {
        if (!current()) return;
        this.teardown();
        this.update({ phase: 'idle', error: describeError(error) });
        return;
      }
      if (!current()) return this.giveUpSeat();
    }
    try {
      await this.connect(reply);
    } catch (error) {
      if (!current()) return;
      this.teardown();
      this.update({ phase: 'idle', error: describeError(error) });
      await this.deps.api.leave(this.snapshot.streamId).catch(() => {});
    }
  }

  /** An overtaken join gives back the seat it took, unless a newer join holds it now. */
  private async giveUpSeat(): Promise<void> {
    const { phase } = this.snapshot;
    if (phase === 'idle' || phase === 'ended') {
      await this.deps.api.leave(this.snapshot.streamId).catch(() => {});
    }
  }

  /** Leaves the call: tells /rtc and the REST API, releases the mic and the audio elements. */
  async leave(): Promise<void> {
    if (this.snapshot.phase === 'idle' || this.snapshot.phase === 'ended') return;
    this.joinSeq++;
    this.conn?.close(true);
    this.teardown();
    this.update({ phase: 'idle', error: null });
    await this.deps.api.leave(this.snapshot.streamId).catch(() => {});
  }

  /** Leaves when the page is being hidden or unloaded (keepalive request; no await possible). */
  leaveOnPageHide(): void {
    if (this.snapshot.phase === 'idle' || this.snapshot.phase === 'ended') return;
    this.joinSeq++;
    this.conn?.close(true);
    this.teardown();
    this.update({ phase: 'idle' });
    this.deps.api.leaveKeepalive(this.snapshot.streamId);
  }

  /** Reconnects immediately instead of waiting for the backoff timer. */
  retryNow(): void {
    if (this.snapshot.phase !== 'reconnecting') return;
    this.clearReconnectTimer();
    void this.reconnect();
  }

  /** Returns the time on the client's clock (ms), the one `lastUnmuteAt` and refusals use. */
  now = (): number => this.deps.now();

  /**
   * Mutes or unmutes oneself (a host mute cannot be lifted by oneself). The server may refuse an
   * unmute (speaker limit, audience, slow mode): the client is muted again and `refusal` says why.
   */
  setMuted(muted: boolean): void {
    if (!muted && this.snapshot.mutedBy === 'host') return;
    if (!muted && this.snapshot.muted) {
      this.unmuteBefore = this.snapshot.lastUnmuteAt;
      this.update({ lastUnmuteAt: this.deps.now() });
    }
    this.update({ muted, mutedBy: muted ? 'self' : null, refusal: null });
    this.conn?.send({ type: 'mute', muted });
    this.applyTrackEnabled();
  }

  /** Deafens (silences every remote slot and mutes oneself) or undeafens (restores both). */
  setDeafened(deafened: boolean): void {
    if (deafened === this.snapshot.deafened) return;
    if (deafened) {
      this.mutedBeforeDeafen = this.snapshot.muted;
      this.update({ deafened });
      if (!this.snapshot.muted) this.setMuted(true);
    } else {
      this.update({ deafened });
      if (!this.mutedBeforeDeafen) this.setMuted(false);
    }
    this.audio?.setMuted(deafened);
  }

  /** Push-to-talk key went down (true) or up (false). */
  setPttPressed(pressed: boolean): void {
    if (pressed === this.snapshot.pttPressed) return;
    this.update({ pttPressed: pressed });
    this.applyTrackEnabled();
  }

  /** Sets the volume (percent 0–100) for one participant, wherever their voice is carried. */
  setParticipantVolume(userId: number, percent: number): void {
    this.update({
      volumes: { ...this.snapshot.volumes, [userId]: Math.min(100, Math.max(0, percent)) },
    });
    this.applyVolumes();
  }

  /** Applies changed settings live (gain, output volume, push-to-talk, device, processing). */
  applySettings(settings: VoiceSettings): void {
    const previous = this.snapshot.settings;
    this.update({ settings, pushToTalk: settings.push_to_talk });
    this.mic?.setGain(settings.input_gain);
    this.applyVolumes();
    this.applyTrackEnabled();
    const live = this.snapshot.phase === 'connected' || this.snapshot.phase === 'reconnecting';
    const micChanged =
      settings.input_device_id !== previous.input_device_id ||
      settings.noise_suppression !== previous.noise_suppression ||
      settings.echo_cancellation !== previous.echo_cancellation ||
      settings.auto_gain_control !== previous.auto_gain_control;
    // A new device or new processing needs a new capture track, swapped in without renegotiation.
    if (live && this.mic && micChanged) void this.switchDevice(settings.input_device_id);
  }

  /** Switches the microphone to `deviceId` without rejoining (RTCRtpSender.replaceTrack). */
  async switchDevice(deviceId: string): Promise<void> {
    const settings = { ...this.snapshot.settings, input_device_id: deviceId };
    let next: MicPipeline;
    try {
      next = await this.deps.openMic(micOptions(settings));
    } catch (error) {
      this.update({ error: `Could not switch microphone: ${describeError(error)}` });
      return;
    }
    const old = this.mic;
    this.mic = next;
    await this.conn?.replaceTrack(next.track);
    old?.stop();
    this.update({ settings, mic: 'granted', listenOnly: false, error: null });
    this.applyTrackEnabled();
  }

  /** Returns the local microphone level (0..1), 0 without a microphone. */
  micLevel(): number {
    return this.mic?.level() ?? 0;
  }

  /** Releases everything without telling the server (the page is going away). */
  dispose(): void {
    this.conn?.close(false);
    this.teardown();
    this.listeners.clear();
  }

  private async openMic(settings: VoiceSettings): Promise<void> {
    if (this.mic) return;
    try {
      this.mic = await this.deps.openMic(micOptions(settings));
      this.update({ mic: 'granted', listenOnly: false });
    } catch (error) {
      this.update({ mic: classifyMicError(error), listenOnly: true });
    }
  }

  private async connect(reply: JoinResponse): Promise<void> {
    const conn: RtcConnection = new RtcConnection(
      {
        url: resolveSfuUrl(reply.sfu_url),
        token: reply.token,
        iceServers: reply.ice_servers ?? [],
        track: this.mic?.track ?? null,
        stream: this.mic?.stream ?? null,
        createPeerConnection: this.deps.createPeerConnection,
        createWebSocket: this.deps.createWebSocket,
        setTimeout: this.deps.setTimeout,
        clearTimeout: this.deps.clearTimeout,
      },
      {
        onMessage: (message) => this.conn === conn && this.onMessage(message),
        onTrack: (index, track) => this.conn === conn && this.audio?.play(index, track),
        onClosed: (reason, code) => this.conn === conn && this.onConnectionLost(reason, code),
        onMediaState: (media) => this.conn === conn && this.onMediaState(media),
      },
    );
    this.conn?.close(false);
    this.conn = conn;
    // The elements unlocked in the Join click serve every reconnect (no gesture then).
    this.audio ??= this.deps.createRemoteAudio();
    this.audio.setMuted(this.snapshot.deafened);
    let joined: Awaited<ReturnType<RtcConnection['start']>>;
    try {
      joined = await conn.start();
    } catch (error) {
      if (this.conn === conn) this.conn = null;
      conn.close(false);
      throw error;
    }
    if (this.conn !== conn) return;
    this.update({
      phase: 'connected',
      media: conn.isMediaConnected() ? 'connected' : 'connecting',
      error: null,
      reconnectAttempt: 0,
      selfUserId: joined.user_id,
      participants: joined.members.map(fromMember),
      slots: joined.slots.map(() => null),
    });
    const self = joined.members.find((m) => m.user_id === joined.user_id);
    if (self?.muted && self.muted_by === 'host') this.update({ muted: true, mutedBy: 'host' });
    else if (this.snapshot.muted !== (self?.muted ?? false))
      conn.send({ type: 'mute', muted: this.snapshot.muted });
    this.applyTrackEnabled();
    conn.deliverEarlyMessages();
    this.applyVolumes();
    this.startLoops(reply.heartbeat_interval_ms ?? kDefaultHeartbeatMs, conn);
  }

  private onMessage(message: RtcServerMessage): void {
    const change = reduceRosterMessage(this.snapshot, message);
    if (change) {
      this.update(change);
      if (message.type === 'slot') this.applyVolumes();
      if (message.type === 'muted' || message.type === 'member') this.applyTrackEnabled();
      return;
    }
    if (message.type === 'stats') {
      this.stats.onServerStats(message);
      this.refreshStats(null);
    } else if (message.type === 'pong') {
      this.stats.onPong(message.t, this.deps.now());
    } else if (message.type === 'kicked') {
      this.end(
        `You were removed from the voice channel${message.reason ? `: ${message.reason}` : '.'}`,
      );
    } else if (message.type === 'closed') {
      // The server ended the membership. A presence timeout is worth a rejoin (the socket closes
      // next and the reconnect joins again); the others are final.
      const final = closedReasons[message.reason];
      if (final) this.end(final);
    } else if (message.type === 'error' && message.code === 'muted_by_host') {
      this.update({ muted: true, mutedBy: 'host' });
      this.applyTrackEnabled();
    } else if (message.type === 'error' && isUnmuteRefusal(message.code)) {
      this.onUnmuteRefused(message.code, message.retry_after_ms);
    }
  }

  /** The server kept us muted: mute locally again and say why (a refused unmute is no unmute). */
  private onUnmuteRefused(code: UnmuteRefusalCode, retryAfterMs: number | undefined): void {
    // A rate limit may hit any toggle; only an unmute leaves the two sides disagreeing.
    if (code === 'rate_limited' && this.snapshot.muted) return;
    const until = retryAfterMs && retryAfterMs > 0 ? this.deps.now() + retryAfterMs : null;
    this.update({
      muted: true,
      mutedBy: this.snapshot.mutedBy === 'host' ? 'host' : 'self',
      lastUnmuteAt: this.unmuteBefore,
      refusal: { code, message: describeUnmuteRefusal(code, retryAfterMs), until },
    });
    this.applyTrackEnabled();
  }

  private onMediaState(media: MediaState): void {
    this.update({ media });
    this.refreshStats(null);
  }

  private onConnectionLost(reason: string, code: string | null): void {
    if (code === kMediaUnreachableCode) {
      this.unreachable();
      return;
    }
    if (code === 'replaced') {
      this.end('You joined this voice channel from another tab or window.');
      return;
    }
    if (code === 'kicked') {
      this.end('You were removed from the voice channel.');
      return;
    }
    this.conn = null;
    this.scheduleReconnect(reason);
  }

  private scheduleReconnect(reason: string): void {
    this.stopLoops();
    this.clearReconnectTimer();
    const attempt = this.snapshot.reconnectAttempt;
    const delay = backoffDelayMs(attempt, this.deps.random);
    this.update({
      phase: 'reconnecting',
      error: reason,
      reconnectAttempt: attempt + 1,
      stats: { ...this.snapshot.stats, quality: 'lost' },
    });
    this.reconnectTimer = this.deps.setTimeout(() => {
      this.reconnectTimer = null;
      void this.reconnect();
    }, delay);
  }

  private async reconnect(): Promise<void> {
    if (this.snapshot.phase !== 'reconnecting') return;
    let reply: JoinResponse;
    try {
      reply = await this.deps.api.join(this.snapshot.streamId);
    } catch (error) {
      if (this.snapshot.phase !== 'reconnecting') return;
      if (isFatalJoinError(error)) this.end(describeError(error));
      else this.scheduleReconnect(describeError(error));
      return;
    }
    if (this.snapshot.phase !== 'reconnecting') return;
    try {
      await this.connect(reply);
    } catch (error) {
      if (this.snapshot.phase === 'reconnecting') this.scheduleReconnect(describeError(error));
    }
  }

  /**
   * The media path never connected (ICE failed or timed out): reconnecting would only repeat it,
   * so the call ends with a message the panel offers a Retry for, and the seat is given back.
   */
  private unreachable(): void {
    this.teardown();
    this.update({ phase: 'ended', error: kUnreachableMessage, failure: 'unreachable' });
    void this.deps.api.leave(this.snapshot.streamId).catch(() => {});
  }

  private end(reason: string): void {
    this.conn?.close(false);
    this.teardown();
    this.update({ phase: 'ended', error: reason });
  }

  private startLoops(heartbeatMs: number, conn: RtcConnection): void {
    this.stopLoops();
    const every = (ms: number, fn: () => void) => {
      const tick = () => {
        this.timers.delete(id);
        if (this.conn !== conn) return;
        fn();
        id = this.deps.setTimeout(tick, ms);
        this.timers.add(id);
      };
      let id = this.deps.setTimeout(tick, ms);
      this.timers.add(id);
    };
    every(heartbeatMs, () => {
      this.deps.api.heartbeat(this.snapshot.streamId).catch((error: unknown) => {
        // 409 not_joined: the server evicted us; take the seat again.
        if ((error as { status?: number }).status === 409 && this.conn === conn) {
          conn.close(false);
          this.conn = null;
          this.scheduleReconnect('The voice seat was lost');
        }
      });
    });
    every(kStatsIntervalMs, () => {
      conn.send({ type: 'ping', t: this.deps.now() });
      conn
        .readStats()
        .then((local) => this.conn === conn && this.refreshStats(local))
        .catch(() => {});
    });
  }

  private refreshStats(local: LocalStats | null): void {
    // Quality is rated only once media flows: the /rtc ping alone says nothing about the audio.
    const connected = this.snapshot.phase === 'connected' && this.snapshot.media === 'connected';
    this.update({ stats: this.stats.combine(local, connected, this.snapshot.stats.rttMs) });
  }

  private stopLoops(): void {
    this.timers.forEach((id) => this.deps.clearTimeout(id));
    this.timers.clear();
  }

  private clearReconnectTimer(): void {
    if (this.reconnectTimer !== null) this.deps.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private teardown(): void {
    this.stopLoops();
    this.clearReconnectTimer();
    this.conn = null;
    this.audio?.dispose();
    this.audio = null;
    this.mic?.stop();
    this.mic = null;
    this.stats.reset();
    this.update({
      media: 'connecting',
      failure: null,
      participants: [],
      slots: [],
      selfUserId: null,
      transmitting: false,
      stats: kNoStats,
      reconnectAttempt: 0,
      pttPressed: false,
      refusal: null,
    });
  }

  private applyTrackEnabled(): void {
    const s = this.snapshot;
    const on = !!this.mic && !s.muted && (!s.pushToTalk || s.pttPressed);
    if (this.mic) this.mic.track.enabled = on;
    if (on !== s.transmitting) this.update({ transmitting: on });
  }

  private applyVolumes(): void {
    const { slots, volumes, settings } = this.snapshot;
    slots.forEach((userId, index) => {
      const user = userId === null ? 100 : (volumes[userId] ?? 100);
      this.audio?.setVolume(index, (settings.output_volume / 100) * (user / 100));
    });
  }

  private update(patch: Partial<VoiceSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    this.listeners.forEach((listener) => listener());
  }
}
