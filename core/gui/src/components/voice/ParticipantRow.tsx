import { Crown, Mic, MicOff, Shield, Volume2 } from 'lucide-react';
import { useId } from 'react';
import type { VoiceRole } from '../../lib/voice/types';

export interface ParticipantView {
  userId: number;
  username: string;
  role: VoiceRole | null;
  isHost: boolean;
  isSelf: boolean;
  muted: boolean;
  mutedBy: 'self' | 'host' | null;
  speaking: boolean;
  /** Per-participant volume in percent, or null when it cannot be set (oneself, before joining). */
  volume: number | null;
}

interface ParticipantRowProps {
  person: ParticipantView;
  onVolume?: (userId: number, percent: number) => void;
  /** Present for hosts and moderators: mute, unmute or remove this participant. */
  onModerate?: (userId: number, action: 'mute' | 'unmute' | 'kick') => void;
}

/** One participant: name, host/moderator badge, speaking and mute marks (icon + text), volume. */
export function ParticipantRow({ person, onVolume, onModerate }: ParticipantRowProps) {
  const sliderId = useId();
  const { username, isSelf, speaking, muted, mutedBy } = person;
  return (
    <li
      className={`participant ${speaking ? 'participant--speaking' : ''}`}
      data-testid="voice-participant"
      data-username={username}
      data-speaking={speaking ? 'true' : 'false'}
      data-muted={muted ? (mutedBy ?? 'self') : 'false'}
    >
      <span className="avatar participant__avatar" aria-hidden>
        {username.slice(0, 1).toUpperCase()}
      </span>
      <span className="participant__name">
        {username}
        {isSelf && <span className="participant__you"> (you)</span>}
      </span>
      {person.isHost && (
        <span className="badge badge--host">
          <Crown aria-hidden size={12} /> Host
        </span>
      )}
      {!person.isHost && person.role === 'moderator' && (
        <span className="badge">
          <Shield aria-hidden size={12} /> Moderator
        </span>
      )}
      <span className="participant__marks">
        {speaking && (
          <span className="participant__speaking">
            <Mic aria-hidden size={14} /> Speaking
          </span>
        )}
        {muted && (
          <span className="participant__muted">
            <MicOff aria-hidden size={14} /> {mutedBy === 'host' ? 'Muted by host' : 'Muted'}
          </span>
        )}
      </span>
      {person.volume !== null && onVolume && (
        <span className="participant__volume">
          <label htmlFor={sliderId}>
            <Volume2 aria-hidden size={14} />
            <span className="visually-hidden">Volume for {username}</span>
          </label>
          <input
            id={sliderId}
            type="range"
            min={0}
            max={100}
            step={5}
            value={person.volume}
            aria-valuetext={`${person.volume}%`}
            onChange={(event) => onVolume(person.userId, Number(event.target.value))}
          />
        </span>
      )}
      {onModerate && !isSelf && (
        <span className="participant__moderation">
          <button
            type="button"
            className="button button--ghost button--small"
            onClick={() =>
              onModerate(person.userId, muted && mutedBy === 'host' ? 'unmute' : 'mute')
            }
          >
            {muted && mutedBy === 'host' ? `Unmute ${username}` : `Mute ${username}`}
          </button>
          <button
            type="button"
            className="button button--ghost button--small"
            onClick={() => {
              if (window.confirm(`Remove ${username} from the voice channel?`))
                onModerate(person.userId, 'kick');
            }}
          >
            Remove {username}
          </button>
        </span>
      )}
    </li>
  );
}
