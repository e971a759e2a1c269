// Connection quality from round-trip time and packet loss, as the status indicator shows it.

export type ConnectionQuality = 'excellent' | 'good' | 'poor' | 'lost';

export interface LinkStats {
  /** Round-trip time in milliseconds, null when unknown. */
  rttMs: number | null;
  /** Fraction of packets lost (0..1), the worse of the two directions. */
  loss: number;
  jitterMs: number | null;
}

const kExcellentRttMs = 100;
const kGoodRttMs = 250;
const kExcellentLoss = 0.01;
const kGoodLoss = 0.05;

/** Returns the quality class for a connected call, or 'lost' when not connected. */
export function rateQuality(connected: boolean, stats: LinkStats): ConnectionQuality {
  if (!connected) return 'lost';
  const rtt = stats.rttMs ?? 0;
  if (rtt < kExcellentRttMs && stats.loss < kExcellentLoss) return 'excellent';
  if (rtt < kGoodRttMs && stats.loss < kGoodLoss) return 'good';
  return 'poor';
}
