import { ParticipantRow, type ParticipantView } from './ParticipantRow';

interface ParticipantListProps {
  people: readonly ParticipantView[];
  /** Whether the list is live from the call (true) or from the channel's event stream. */
  inCall: boolean;
  onVolume?: (userId: number, percent: number) => void;
  onModerate?: (userId: number, action: 'mute' | 'unmute' | 'kick') => void;
}

/** The channel's participants with a count; empty text when nobody is there. */
export function ParticipantList({ people, inCall, onVolume, onModerate }: ParticipantListProps) {
  const heading = `${people.length} ${people.length === 1 ? 'person' : 'people'} in voice`;
  return (
    <section className="participants" aria-label="Participants">
      <h3 className="participants__heading" data-testid="voice-count">
        {heading}
      </h3>
      {people.length === 0 ? (
        <p className="participants__empty">
          {inCall ? 'Only you so far.' : 'Nobody is in voice yet. Be the first!'}
        </p>
      ) : (
        <ul className="participants__list" aria-label="People in voice">
          {people.map((person) => (
            <ParticipantRow
              key={person.userId}
              person={person}
              onVolume={onVolume}
              onModerate={onModerate}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
