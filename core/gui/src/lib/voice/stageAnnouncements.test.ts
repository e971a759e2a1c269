import { describe, expect, it } from 'vitest';
import {
  kHandApproved,
  kHandDown,
  kInvitedToSpeak,
  kMovedToAudience,
  kStageEnded,
  kStageStarted,
  kStageStartedSpeaker,
  stageAnnouncement,
} from './stageAnnouncements';

const listener = { stage: true, speaker: false, hand: false, moderator: false };
const raised = { ...listener, hand: true };
const speaker = { stage: true, speaker: true, hand: false, moderator: false };
const open = { stage: false, speaker: true, hand: false, moderator: false };

describe('stageAnnouncement', () => {
  it('announces an approved hand and an invitation without one', () => {
    expect(stageAnnouncement(raised, speaker)).toBe(kHandApproved);
    expect(kHandApproved).toBe('Your hand was approved — you can unmute now');
    expect(stageAnnouncement(listener, speaker)).toBe(kInvitedToSpeak);
  });

  it('announces being moved to the audience and a dismissed hand', () => {
    expect(stageAnnouncement(speaker, listener)).toBe(kMovedToAudience);
    expect(stageAnnouncement(raised, listener)).toBe(kHandDown);
  });

  it('announces the room switching mode', () => {
    expect(stageAnnouncement(open, listener)).toBe(kStageStarted);
    expect(stageAnnouncement(open, { ...speaker, moderator: true })).toBe(kStageStartedSpeaker);
    expect(stageAnnouncement(raised, open)).toBe(kStageEnded);
  });

  it('a member is a listener when the stage starts, whichever event arrives first', () => {
    // The room's mode first: the roster still says speaker for a moment.
    expect(stageAnnouncement(open, speaker)).toBe(kStageStarted);
    expect(stageAnnouncement(speaker, listener, kStageStarted)).toBeNull();
    // Later, a real move back to the audience is announced.
    expect(stageAnnouncement(speaker, listener, kInvitedToSpeak)).toBe(kMovedToAudience);
  });

  it('stays quiet when nothing about oneself changed, or before joining', () => {
    expect(stageAnnouncement(listener, listener)).toBeNull();
    expect(stageAnnouncement(open, open)).toBeNull();
    expect(stageAnnouncement(listener, raised)).toBeNull();
    expect(stageAnnouncement(null, speaker)).toBeNull();
    expect(stageAnnouncement(speaker, null)).toBeNull();
  });
});
