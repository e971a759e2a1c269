import { Pin, PinOff, Shield, ShieldOff } from 'lucide-react';
import { useModerators } from '../../hooks/useModerators';
import { useRoomSettings } from '../../hooks/useRoomSettings';
import { togglePin } from '../../lib/voice/stage';
import type { RosterEntry, VoiceRoom } from '../../lib/voice/types';
import { ErrorMessage } from '../ui/ErrorMessage';

interface RoomPeopleProps {
  streamId: number;
  room: VoiceRoom;
  roster: readonly RosterEntry[];
  /** The host or an administrator: may appoint and remove moderators. */
  canAppoint: boolean;
}

/**
 * Pins (at most `room.slots`: a pinned speaker gets an audio slot ahead of louder ones) and
 * moderators: the people in voice with Pin and, for the host, Make/Remove moderator; appointed
 * moderators who are not in voice are listed with Remove.
 */
export function RoomPeople({ streamId, room, roster, canAppoint }: RoomPeopleProps) {
  const pins = useRoomSettings(streamId);
  const { moderators, setRole } = useModerators(streamId, true);
  const pinned = room.pinned ?? [];
  const slots = room.slots ?? 0;
  const absent = moderators.filter((m) => !roster.some((r) => r.user_id === m.user_id));
  return (
    <section className="room-people" aria-label="Pins and moderators">
      <h4>People</h4>
      <p className="room-people__pins" data-testid="pin-count">
        {pinned.length} of {slots} pinned
      </p>
      {pins.error !== null && <ErrorMessage error={pins.error} />}
      <ul className="room-people__list">
        {roster.map((m) => {
          const isPinned = pinned.includes(m.user_id);
          const next = togglePin(pinned, m.user_id, slots);
          return (
            <li key={m.user_id} className="room-people__item">
              <span className="room-people__name">
                {m.username}
                {m.role !== 'member' && (
                  <span className="badge">{m.role === 'host' ? 'Host' : 'Moderator'}</span>
                )}
              </span>
              <button
                type="button"
                className="button button--ghost button--small"
                aria-disabled={next === null || undefined}
                title={next === null ? `All ${slots} pins are in use` : undefined}
                onClick={() => next && pins.save({ pinned: next })}
              >
                {isPinned ? <PinOff aria-hidden size={14} /> : <Pin aria-hidden size={14} />}
                {isPinned ? `Unpin ${m.username}` : `Pin ${m.username}`}
              </button>
              {canAppoint && m.role !== 'host' && (
                <button
                  type="button"
                  className="button button--ghost button--small"
                  onClick={() =>
                    setRole(m.user_id, m.role === 'moderator' ? 'member' : 'moderator')
                  }
                >
                  {m.role === 'moderator' ? (
                    <ShieldOff aria-hidden size={14} />
                  ) : (
                    <Shield aria-hidden size={14} />
                  )}
                  {m.role === 'moderator'
                    ? `Remove ${m.username} as moderator`
                    : `Make ${m.username} a moderator`}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {absent.length > 0 && (
        <>
          <h5>Moderators not in voice</h5>
          <ul className="room-people__list">
            {absent.map((m) => (
              <li key={m.user_id} className="room-people__item">
                <span className="room-people__name">{m.username}</span>
                {canAppoint && (
                  <button
                    type="button"
                    className="button button--ghost button--small"
                    onClick={() => setRole(m.user_id, 'member')}
                  >
                    Remove {m.username} as moderator
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
