import { ChevronDown, ChevronUp, SlidersHorizontal } from 'lucide-react';
import { useId, useState } from 'react';
import type { RosterEntry, VoiceRoom } from '../../lib/voice/types';
import { Loading } from '../ui/Loading';
import { AuditLog } from './AuditLog';
import { KickList } from './KickList';
import { RoomPeople } from './RoomPeople';
import { RoomSettingsForm } from './RoomSettingsForm';

interface RoomControlsProps {
  streamId: number;
  room: VoiceRoom | undefined;
  roster: readonly RosterEntry[];
  /** The host or an administrator (may appoint moderators). */
  canAppoint: boolean;
}

/**
 * The host's and moderators' panel on the Voice tab, folded until opened: room settings, pins and
 * moderators, the kick list and the moderation log (the lists load only while it is open).
 */
export function RoomControls({ streamId, room, roster, canAppoint }: RoomControlsProps) {
  const [open, setOpen] = useState(false);
  const bodyId = useId();
  return (
    <section className="room-controls" aria-label="Room controls">
      <button
        type="button"
        className="button button--ghost room-controls__toggle"
        aria-expanded={open}
        aria-controls={open ? bodyId : undefined}
        onClick={() => setOpen(!open)}
      >
        <SlidersHorizontal aria-hidden size={18} />
        Room controls
        {open ? <ChevronUp aria-hidden size={16} /> : <ChevronDown aria-hidden size={16} />}
      </button>
      {open && (
        <div id={bodyId} className="room-controls__body">
          {room ? (
            <>
              <RoomSettingsForm streamId={streamId} room={room} />
              <RoomPeople streamId={streamId} room={room} roster={roster} canAppoint={canAppoint} />
            </>
          ) : (
            <Loading label="Loading the room…" />
          )}
          <KickList streamId={streamId} />
          <AuditLog streamId={streamId} />
        </div>
      )}
    </section>
  );
}
