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

const listener = { stage: true, speaker: false, hand: false };
const raised = { ...listener, hand: true };
const speaker = { stage: true, speaker: true, hand: false };
const open = { stage: false, speaker: true, hand: false };

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
    expect(stageAnnouncement(open, speaker)).toBe(kStageStartedSpeaker);
    expect(stageAnnouncement(raised, open)).toBe(kStageEnded);
  });

  it('stays quiet when nothing about oneself changed, or before joining', () => {
    expect(stageAnnouncement(listener, listener)).toBeNull();
    expect(stageAnnouncement(open, open)).toBeNull();
    expect(stageAnnouncement(listener, raised)).toBeNull();
    expect(stageAnnouncement(null, speaker)).toBeNull();
    expect(stageAnnouncement(speaker, null)).toBeNull();
  });
});
