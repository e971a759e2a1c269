import { describe, expect, it } from 'vitest';
import { StatsTracker } from './StatsTracker';

describe('StatsTracker', () => {
  it('prefers ICE RTT, then the server, then the ping; loss is the worse direction', () => {
    const t = new StatsTracker();
    t.onPong(1_000, 1_040);
    expect(t.combine(null, true, null).rttMs).toBe(40);
    t.onServerStats({ rtt_ms: 25, loss_up: 0.03, loss_down: 0, jitter_ms: 2 });
    expect(t.combine(null, true, null)).toMatchObject({ rttMs: 25, lossUp: 0.03, quality: 'good' });
    const s = t.combine({ rttMs: 10, lossDown: 0.2, jitterMs: 1 }, true, null);
    expect(s).toMatchObject({ rttMs: 10, lossDown: 0.2, quality: 'poor' });
    expect(t.combine(null, false, null).quality).toBe('lost');
    t.reset();
    expect(t.combine(null, true, 77).rttMs).toBe(77);
  });
});
