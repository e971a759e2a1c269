// The latest thing the stage said about the user (hand approved, moved to the audience, …), for
// an aria-live region. The sentences come from lib/voice/stageAnnouncements.
import { useState } from 'react';
import { stageAnnouncement, type SelfStage } from '../lib/voice/stageAnnouncements';

const same = (a: SelfStage | null, b: SelfStage | null) =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.stage === b.stage &&
    a.speaker === b.speaker &&
    a.hand === b.hand &&
    a.moderator === b.moderator);

/** Returns `{ text, seq }`: the latest announcement ('' none) and a counter that grows with each. */
export function useStageAnnouncement(self: SelfStage | null): { text: string; seq: number } {
  const [previous, setPrevious] = useState<SelfStage | null>(self);
  const [said, setSaid] = useState({ text: '', seq: 0 });
  if (!same(previous, self)) {
    // Adjusting state while rendering (react.dev "storing information from previous renders").
    setPrevious(self);
    const text = stageAnnouncement(previous, self, said.text);
    if (text) setSaid({ text, seq: said.seq + 1 });
  }
  return said;
}
