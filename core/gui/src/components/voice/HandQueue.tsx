import { Check, Hand, X } from 'lucide-react';
import { useId } from 'react';
import type { RosterEntry } from '../../lib/voice/types';

interface HandQueueProps {
  /** Raised hands, oldest first (lib/voice/stage handQueue). */
  queue: readonly RosterEntry[];
  onSpeak: (userId: number, allow: boolean) => void;
}

const timeOf = (iso: string | null | undefined) => {
  const at = Date.parse(iso ?? '');
  return Number.isNaN(at) ? '' : new Date(at).toLocaleTimeString();
};

/** The raised hands a host or moderator approves (to the stage) or dismisses, oldest first. */
export function HandQueue({ queue, onSpeak }: HandQueueProps) {
  const headingId = useId();
  return (
    <section className="hand-queue" aria-labelledby={headingId}>
      <h3 id={headingId} className="hand-queue__heading">
        <Hand aria-hidden size={16} /> Raised hands ({queue.length})
      </h3>
      {queue.length === 0 ? (
        <p className="hand-queue__empty">No hands raised.</p>
      ) : (
        <ol className="hand-queue__list" aria-label="Raised hands, oldest first">
          {queue.map((m) => (
            <li key={m.user_id} className="hand-queue__item" data-testid="hand-queue-item">
              <span className="hand-queue__name">{m.username}</span>
              <span className="hand-queue__time">{timeOf(m.hand_raised_at)}</span>
              <button
                type="button"
                className="button button--primary button--small"
                aria-label={`Approve ${m.username}`}
                onClick={() => onSpeak(m.user_id, true)}
              >
                <Check aria-hidden size={14} /> Approve
              </button>
              <button
                type="button"
                className="button button--ghost button--small"
                aria-label={`Dismiss ${m.username}`}
                onClick={() => onSpeak(m.user_id, false)}
              >
                <X aria-hidden size={14} /> Dismiss
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
