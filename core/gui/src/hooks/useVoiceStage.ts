// Everything the Voice tab derives from the room, the roster and the call for a stage: the
// user's place (speaker, listener, raised hand), moderator powers, the hand queue, the slow-mode
// countdown and the announcement of changes. The rules live in lib/voice; this only wires them.
import type { Stream, User } from '../lib/api/types';
import {
  canAppointModerators,
  handQueue,
  hasModeratorPowers,
  isSpeaker,
  isStage,
} from '../lib/voice/stage';
import type { RosterEntry, VoiceRoom } from '../lib/voice/types';
import { nextUnmuteAt } from '../lib/voice/unmuteRules';
import type { VoiceSnapshot } from '../lib/voice/VoiceClient';
import { useCountdown } from './useCountdown';
import { useStageAnnouncement } from './useStageAnnouncement';

interface Input {
  stream: Pick<Stream, 'host_id'>;
  user: User;
  roster: readonly RosterEntry[] | null;
  room: VoiceRoom | undefined;
  state: VoiceSnapshot;
  /** The voice client's clock (the one `lastUnmuteAt` and refusals use). */
  now: () => number;
}

export const kAudienceHint = 'You are in the audience: raise your hand to ask to speak';

/** Returns the stage state of the Voice tab for `user`. */
export function useVoiceStage({ stream, user, roster, room, state, now }: Input) {
  const stage = isStage(room);
  const self = roster?.find((m) => m.user_id === user.id) ?? null;
  const powers = {
    userRole: user.role,
    userId: user.id,
    hostId: stream.host_id,
    rosterRole: self?.role,
  };
  const moderator = hasModeratorPowers(powers);
  const speaker = self ? isSpeaker(self, stage) : !stage;
  const handRaised = !!self?.hand_raised_at;
  const until = nextUnmuteAt({
    lastUnmuteAt: state.lastUnmuteAt,
    slowModeSeconds: room?.slow_mode_seconds ?? 0,
    refusedUntil: state.refusal?.until ?? null,
    exempt: moderator,
  });
  const waitSeconds = useCountdown(until, now);
  const announcement = useStageAnnouncement(
    self
      ? {
          stage,
          speaker,
          hand: handRaised,
          moderator: self.role === 'host' || self.role === 'moderator',
        }
      : null,
  );
  return {
    stage,
    moderator,
    canAppoint: canAppointModerators(powers),
    /** In the audience of a stage (known from the roster). */
    listener: stage && self !== null && !speaker,
    handRaised,
    queue: stage && moderator ? handQueue(roster ?? []) : [],
    waitSeconds,
    blockedReason: stage && self !== null && !speaker ? kAudienceHint : null,
    announcement,
  };
}
