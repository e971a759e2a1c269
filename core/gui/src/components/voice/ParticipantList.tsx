import { splitStage } from '../../lib/voice/stage';
import type { ParticipantActionHandlers } from './ParticipantActions';
import { ParticipantRow, type ParticipantView } from './ParticipantRow';

interface ParticipantListProps {
  people: readonly ParticipantView[];
  /** Whether the list is live from the call (true) or from the channel's event stream. */
  inCall: boolean;
  /** A stage room: the list splits into Speakers and Audience. */
  stage?: boolean;
  onVolume?: (userId: number, percent: number) => void;
  /** Present for hosts and moderators. */
  actions?: ParticipantActionHandlers;
}

interface GroupProps {
  label: string;
  people: readonly ParticipantView[];
  onVolume?: (userId: number, percent: number) => void;
  actions?: ParticipantActionHandlers;
}

function Group({ label, people, onVolume, actions }: GroupProps) {
  return (
    <ul className="participants__list" aria-label={label}>
      {people.map((person) => (
        <ParticipantRow key={person.userId} person={person} onVolume={onVolume} actions={actions} />
      ))}
    </ul>
  );
}

/** The channel's participants with a count (split into speakers and audience on a stage). */
export function ParticipantList({
  people,
  inCall,
  stage,
  onVolume,
  actions,
}: ParticipantListProps) {
  const heading = `${people.length} ${people.length === 1 ? 'person' : 'people'} in voice`;
  const { speakers, audience } = splitStage(people);
  return (
    <section className="participants" aria-label="Participants">
      <h3 className="participants__heading" data-testid="voice-count">
        {heading}
      </h3>
      {people.length === 0 ? (
        <p className="participants__empty">
          {inCall ? 'Only you so far.' : 'Nobody is in voice yet. Be the first!'}
        </p>
      ) : stage ? (
        <>
          <h4 className="participants__group">Speakers ({speakers.length})</h4>
          <Group label="Speakers" people={speakers} onVolume={onVolume} actions={actions} />
          <h4 className="participants__group">Audience ({audience.length})</h4>
          {audience.length === 0 ? (
            <p className="participants__empty">Nobody is listening from the audience.</p>
          ) : (
            <Group label="Audience" people={audience} onVolume={onVolume} actions={actions} />
          )}
        </>
      ) : (
        <Group label="People in voice" people={people} onVolume={onVolume} actions={actions} />
      )}
    </section>
  );
}
