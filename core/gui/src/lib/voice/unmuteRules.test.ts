import { describe, expect, it } from 'vitest';
import {
  describeUnmuteRefusal,
  isUnmuteRefusal,
  nextUnmuteAt,
  secondsLeft,
  waitSeconds,
} from './unmuteRules';

describe('unmute refusal messages', () => {
  it('knows the refusal codes and nothing else', () => {
    for (const code of ['speaker_limit', 'not_a_speaker', 'slow_mode', 'rate_limited'])
      expect(isUnmuteRefusal(code)).toBe(true);
    expect(isUnmuteRefusal('muted_by_host')).toBe(false);
    expect(isUnmuteRefusal('')).toBe(false);
  });

  it('maps each code to a sentence, with the wait when the server gave one', () => {
    expect(describeUnmuteRefusal('speaker_limit')).toBe(
      'Could not unmute: the room has reached its speaker limit. Try again when someone mutes.',
    );
    expect(describeUnmuteRefusal('not_a_speaker')).toMatch(
      /you are in the audience\. Raise your hand/,
    );
    expect(describeUnmuteRefusal('slow_mode', 12_001)).toBe(
      'Could not unmute: slow mode is on. You can try again in 13 s.',
    );
    expect(describeUnmuteRefusal('slow_mode')).toBe(
      'Could not unmute: slow mode is on. Wait a moment and try again.',
    );
    expect(describeUnmuteRefusal('rate_limited', 500)).toBe(
      'Could not unmute: too many mute changes. You can try again in 1 s.',
    );
  });
});

describe('slow-mode countdown', () => {
  const base = { lastUnmuteAt: null, slowModeSeconds: 0, refusedUntil: null, exempt: false };

  it('holds nothing back without slow mode or an earlier unmute', () => {
    expect(nextUnmuteAt(base)).toBeNull();
    expect(nextUnmuteAt({ ...base, lastUnmuteAt: 1_000 })).toBeNull();
    expect(nextUnmuteAt({ ...base, slowModeSeconds: 30 })).toBeNull();
  });

  it('counts slow_mode_seconds from the last unmute, unless exempt', () => {
    const input = { ...base, lastUnmuteAt: 1_000, slowModeSeconds: 30 };
    expect(nextUnmuteAt(input)).toBe(31_000);
    expect(nextUnmuteAt({ ...input, exempt: true })).toBeNull();
  });

  it("takes the later of the room's rule and the server's retry_after_ms", () => {
    expect(nextUnmuteAt({ ...base, refusedUntil: 9_000 })).toBe(9_000);
    expect(nextUnmuteAt({ ...base, refusedUntil: 9_000, exempt: true })).toBe(9_000);
    expect(
      nextUnmuteAt({ ...base, lastUnmuteAt: 1_000, slowModeSeconds: 5, refusedUntil: 9_000 }),
    ).toBe(9_000);
    expect(
      nextUnmuteAt({ ...base, lastUnmuteAt: 1_000, slowModeSeconds: 10, refusedUntil: 9_000 }),
    ).toBe(11_000);
  });

  it('counts down in whole seconds, rounding up, and stops at 0', () => {
    expect(secondsLeft(31_000, 1_000)).toBe(30);
    expect(secondsLeft(31_000, 1_001)).toBe(30);
    expect(secondsLeft(31_000, 30_001)).toBe(1);
    expect(secondsLeft(31_000, 31_000)).toBe(0);
    expect(secondsLeft(31_000, 40_000)).toBe(0);
    expect(secondsLeft(null, 0)).toBe(0);
    expect(waitSeconds(undefined)).toBe(0);
  });
});
