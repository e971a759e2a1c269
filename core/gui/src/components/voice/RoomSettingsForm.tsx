import { useId, useState } from 'react';
import { useRoomSettings } from '../../hooks/useRoomSettings';
import { kRoomLimits, roomPatchFrom, shownValue, type RoomDraft } from '../../lib/voice/roomForm';
import type { VoiceRoom } from '../../lib/voice/types';
import { ErrorMessage } from '../ui/ErrorMessage';

interface RoomSettingsFormProps {
  streamId: number;
  room: VoiceRoom;
}

const kNumberFields = [
  ['max_speakers', '0 = no limit. Members unmuted at once; hosts and moderators always may.'],
  ['max_members', 'How many people may be in voice.'],
  ['slow_mode_seconds', '0 = off. A member may unmute or raise a hand once per this many seconds.'],
] as const;

/**
 * Mode, speaker limit, member limit and slow mode of the room. Untouched fields follow the room
 * as it changes; Save sends only what was changed (PATCH …/room).
 */
export function RoomSettingsForm({ streamId, room }: RoomSettingsFormProps) {
  const id = useId();
  const settings = useRoomSettings(streamId);
  const [draft, setDraft] = useState<RoomDraft>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const mode = draft.mode ?? room.mode ?? 'open';
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const result = roomPatchFrom(room, draft);
    if (!result.ok) return setProblem(result.error);
    setProblem(null);
    if (Object.keys(result.patch).length === 0) return setNote('Nothing changed.');
    setNote('Saving…');
    settings.save(result.patch, () => {
      setDraft({});
      setNote('Room settings saved.');
    });
  };
  return (
    <form className="room-settings" aria-label="Room settings" onSubmit={submit} noValidate>
      <fieldset className="room-settings__mode">
        <legend>Mode</legend>
        {(['open', 'stage'] as const).map((value) => (
          <label key={value}>
            <input
              type="radio"
              name={`${id}-mode`}
              value={value}
              checked={mode === value}
              onChange={() => setDraft({ ...draft, mode: value })}
            />
            {value === 'open' ? 'Open: everyone can speak' : 'Stage: speakers and an audience'}
          </label>
        ))}
      </fieldset>
      {kNumberFields.map(([field, hint]) => (
        <div key={field} className="room-settings__field">
          <label htmlFor={`${id}-${field}`}>
            {kRoomLimits[field].label}
            {field === 'slow_mode_seconds' ? ' (seconds)' : ''}
          </label>
          <input
            id={`${id}-${field}`}
            type="number"
            inputMode="numeric"
            min={kRoomLimits[field].min}
            max={kRoomLimits[field].max}
            value={shownValue(room, draft, field)}
            aria-describedby={`${id}-${field}-hint`}
            onChange={(event) => setDraft({ ...draft, [field]: event.target.value })}
          />
          <span id={`${id}-${field}-hint`} className="room-settings__hint">
            {hint}
          </span>
        </div>
      ))}
      {problem && (
        <p className="error-message" role="alert">
          {problem}
        </p>
      )}
      {settings.error !== null && <ErrorMessage error={settings.error} />}
      <div className="room-settings__actions">
        <button type="submit" className="button button--primary" disabled={settings.isPending}>
          Save room settings
        </button>
        <span className="room-settings__note" aria-live="polite">
          {settings.error === null ? note : ''}
        </span>
      </div>
    </form>
  );
}
