// Polls a level source (0..1) for a meter, about 15 times a second while `active`.
import { useEffect, useState } from 'react';

export const kLevelPollMs = 66;

/** Returns the latest value of `read()`, or 0 when inactive. */
export function useLevel(read: (() => number) | null, active: boolean): number {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    if (!active || !read) return undefined;
    const id = window.setInterval(() => setLevel(read()), kLevelPollMs);
    return () => {
      window.clearInterval(id);
      setLevel(0);
    };
  }, [read, active]);
  return active ? level : 0;
}
