// Combines the three views of link quality: the browser's getStats, the server's stats events
// and the /rtc ping round trip.
import { rateQuality } from './quality';
import type { RtcStats } from './types';
import type { VoiceStats } from './voiceState';

/** What RTCPeerConnection.getStats gives (RtcConnection.readStats). */
export interface LocalStats {
  rttMs: number | null;
  lossDown: number | null;
  jitterMs: number | null;
}

export class StatsTracker {
  private server = {
    rttMs: null as number | null,
    lossUp: 0,
    lossDown: 0,
    jitterMs: null as number | null,
  };
  private pingRttMs: number | null = null;

  /** Records a server stats event. */
  onServerStats(stats: RtcStats): void {
    this.server = {
      rttMs: stats.rtt_ms,
      lossUp: stats.loss_up,
      lossDown: stats.loss_down,
      jitterMs: stats.jitter_ms,
    };
  }

  /** Records a pong for a ping sent at `sentMs`, received at `nowMs`. */
  onPong(sentMs: number, nowMs: number): void {
    this.pingRttMs = Math.max(0, nowMs - sentMs);
  }

  /** Forgets everything (new call). */
  reset(): void {
    this.server = { rttMs: null, lossUp: 0, lossDown: 0, jitterMs: null };
    this.pingRttMs = null;
  }

  /**
   * Returns the stats to show: RTT from ICE (getStats), else the server's, else the ping;
   * loss as the worse direction; quality rated only while connected.
   */
  combine(local: LocalStats | null, connected: boolean, previousRttMs: number | null): VoiceStats {
    const rttMs = local?.rttMs ?? this.server.rttMs ?? this.pingRttMs ?? previousRttMs;
    const lossDown = local?.lossDown ?? this.server.lossDown;
    const lossUp = this.server.lossUp;
    const jitterMs = local?.jitterMs ?? this.server.jitterMs;
    const quality = rateQuality(connected, { rttMs, loss: Math.max(lossUp, lossDown), jitterMs });
    return { rttMs, lossUp, lossDown, jitterMs, quality };
  }
}
