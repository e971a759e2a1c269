// Reconnect delays: exponential backoff with jitter, capped (AWS "equal jitter").

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const kReconnectBackoff: BackoffOptions = { baseMs: 500, capMs: 15_000 };

/**
 * Returns the wait before reconnect attempt `attempt` (0-based): half of min(cap, base·2^n)
 * fixed plus up to the other half at random, so clients that lost the same server spread out.
 */
export function backoffDelayMs(
  attempt: number,
  random: () => number = Math.random,
  { baseMs, capMs }: BackoffOptions = kReconnectBackoff,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
