import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff';
import { rateQuality } from './quality';

describe('backoffDelayMs', () => {
  it('doubles up to the cap and keeps jitter within [half, full]', () => {
    const opts = { baseMs: 500, capMs: 15_000 };
    expect(backoffDelayMs(0, () => 0, opts)).toBe(250);
    expect(backoffDelayMs(0, () => 1, opts)).toBe(500);
    expect(backoffDelayMs(3, () => 1, opts)).toBe(4000);
    expect(backoffDelayMs(50, () => 1, opts)).toBe(15_000);
    expect(backoffDelayMs(50, () => 0, opts)).toBe(7_500);
  });
  it('spreads clients over the window', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(4)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(4000);
  });
});

describe('rateQuality', () => {
  it('classifies by RTT and loss', () => {
    expect(rateQuality(true, { rttMs: 20, loss: 0, jitterMs: 1 })).toBe('excellent');
    expect(rateQuality(true, { rttMs: 150, loss: 0.02, jitterMs: 1 })).toBe('good');
    expect(rateQuality(true, { rttMs: 400, loss: 0, jitterMs: 1 })).toBe('poor');
    expect(rateQuality(true, { rttMs: null, loss: 0.2, jitterMs: null })).toBe('poor');
    expect(rateQuality(false, { rttMs: 5, loss: 0, jitterMs: 1 })).toBe('lost');
  });
});
