// What the stage tells the user about their own place in it, for an aria-live region: hand
// approved, moved to the audience, the room switched mode. Pure; the hook keeps the previous state.

/** The user's own stage state as the roster and room describe it. */
export interface SelfStage {
  stage: boolean;
  speaker: boolean;
  hand: boolean;
  /** Host or moderator: stays a speaker when the room becomes a stage. */
  moderator: boolean;
}

export const kHandApproved = 'Your hand was approved — you can unmute now';
export const kInvitedToSpeak = 'You were made a speaker — you can unmute now';
export const kMovedToAudience = 'You were moved to the audience';
export const kStageStarted =
  'This room is now a stage — you are in the audience; raise your hand to speak';
export const kStageStartedSpeaker = 'This room is now a stage — you are a speaker';
export const kStageEnded = 'The stage has ended — everyone can speak';
export const kHandDown = 'Your hand is down';

/**
 * Returns the sentence to announce for a change from `prev` to `next`, or null. `lastSaid` is
 * the previous announcement: the room's mode and one's own roster entry arrive as separate
 * events in either order, so a member's "speaker" may still be true for a moment after the room
 * became a stage; that catch-up is not a move to the audience.
 */
export function stageAnnouncement(
  prev: SelfStage | null,
  next: SelfStage | null,
  lastSaid = '',
): string | null {
  if (!prev || !next) return null;
  if (prev.stage && !next.stage) return kStageEnded;
  // A switch to stage makes every member who is not a host or moderator a listener.
  if (!prev.stage && next.stage) return next.moderator ? kStageStartedSpeaker : kStageStarted;
  if (!next.stage) return null;
  if (!prev.speaker && next.speaker) return prev.hand ? kHandApproved : kInvitedToSpeak;
  if (prev.speaker && !next.speaker) return lastSaid === kStageStarted ? null : kMovedToAudience;
  if (prev.hand && !next.hand) return kHandDown;
  return null;
}
