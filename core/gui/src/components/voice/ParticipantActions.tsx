import type { ParticipantView } from './ParticipantRow';

export type ModerationAction = 'mute' | 'unmute' | 'kick';

/** What a host or moderator can do to another participant. */
export interface ParticipantActionHandlers {
  onModerate: (userId: number, action: ModerationAction) => void;
  /** Present on a stage: make a speaker (true) or move to the audience (false). */
  onSpeak?: (userId: number, allow: boolean) => void;
}

interface ParticipantActionsProps {
  person: ParticipantView;
  actions: ParticipantActionHandlers;
}

/** The moderator buttons of one row, each named after its target for screen readers. */
export function ParticipantActions({ person, actions }: ParticipantActionsProps) {
  const { userId, username, muted, mutedBy } = person;
  const hostMuted = muted && mutedBy === 'host';
  // Hosts and moderators are always speakers on a stage; only members move.
  const movable = actions.onSpeak && !person.isHost && person.role !== 'moderator';
  return (
    <span className="participant__moderation">
      {movable && person.speaker && (
        <button
          type="button"
          className="button button--ghost button--small"
          onClick={() => actions.onSpeak?.(userId, false)}
        >
          Move {username} to audience
        </button>
      )}
      {movable && !person.speaker && !person.handRaised && (
        <button
          type="button"
          className="button button--ghost button--small"
          onClick={() => actions.onSpeak?.(userId, true)}
        >
          Invite {username} to speak
        </button>
      )}
      <button
        type="button"
        className="button button--ghost button--small"
        onClick={() => actions.onModerate(userId, hostMuted ? 'unmute' : 'mute')}
      >
        {hostMuted ? `Unmute ${username}` : `Mute ${username}`}
      </button>
      <button
        type="button"
        className="button button--ghost button--small"
        onClick={() => {
          if (window.confirm(`Remove ${username} from the voice channel?`))
            actions.onModerate(userId, 'kick');
        }}
      >
        Remove {username}
      </button>
    </span>
  );
}
