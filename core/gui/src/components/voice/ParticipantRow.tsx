import { Crown, Hand, Mic, MicOff, Pin, Shield, Volume2 } from 'lucide-react';
import { useId } from 'react';
import type { VoiceRole } from '../../lib/voice/types';
import { ParticipantActions, type ParticipantActionHandlers } from './ParticipantActions';

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
  /** May speak (always in an open room; on a stage, speakers only). */
  speaker: boolean;
  handRaised: boolean;
  pinned: boolean;
}

interface ParticipantRowProps {
  person: ParticipantView;
  onVolume?: (userId: number, percent: number) => void;
  /** Present for hosts and moderators: mute, unmute, remove, move between stage and audience. */
  actions?: ParticipantActionHandlers;
}

/**
 * One participant: name, host/moderator badge, pin, raised-hand, speaking and mute marks (icon +
 * text), volume, and the moderator actions.
 */
export function ParticipantRow({ person, onVolume, actions }: ParticipantRowProps) {
  const sliderId = useId();
  const { username, isSelf, speaking, muted, mutedBy } = person;
  return (
    <li
      className={`participant ${speaking ? 'participant--speaking' : ''}`}
      data-testid="voice-participant"
      data-username={username}
      data-speaking={speaking ? 'true' : 'false'}
      data-muted={muted ? (mutedBy ?? 'self') : 'false'}
      data-speaker={person.speaker ? 'true' : 'false'}
      data-pinned={person.pinned ? 'true' : 'false'}
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
        {person.pinned && (
          <span className="participant__pinned">
            <Pin aria-hidden size={14} /> Pinned
          </span>
        )}
        {person.handRaised && (
          <span className="participant__hand">
            <Hand aria-hidden size={14} /> Hand raised
          </span>
        )}
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
      {actions && !isSelf && <ParticipantActions person={person} actions={actions} />}
    </li>
  );
}
