// A whole-second countdown to a moment on a given clock, re-rendering only while it runs.
import { useEffect, useState } from 'react';
import { secondsLeft } from '../lib/voice/unmuteRules';

/** Returns the seconds left until `until` (ms on `now`'s clock), 0 when null or past. */
export function useCountdown(until: number | null, now: () => number): number {
  const [left, setLeft] = useState<{ until: number | null; seconds: number }>({
    until: null,
    seconds: 0,
  });
  useEffect(() => {
    if (until === null) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      const seconds = secondsLeft(until, now());
      setLeft({ until, seconds });
      // Wake when the shown number changes: the next whole-second boundary of the wait.
      if (seconds > 0) timer = setTimeout(tick, ((until - now()) % 1000 || 1000) + 5);
    };
    timer = setTimeout(tick, 0);
    return () => clearTimeout(timer);
  }, [until, now]);
  return left.until === until ? left.seconds : 0;
}
