import { useKicks } from '../../hooks/useKicks';
import { Loading } from '../ui/Loading';
import { ErrorMessage } from '../ui/ErrorMessage';

/** People removed from the room, each with Lift (DELETE …/kicks/{user}) so they may join again. */
export function KickList({ streamId }: { streamId: number }) {
  const { query, lift } = useKicks(streamId, true);
  const kicks = query.data ?? [];
  return (
    <section className="kick-list" aria-label="Removed people">
      <h4>Removed from voice ({kicks.length})</h4>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />
      ) : kicks.length === 0 ? (
        <p className="kick-list__empty">Nobody is removed.</p>
      ) : (
        <ul className="kick-list__list">
          {kicks.map((k) => (
            <li key={k.user_id} className="kick-list__item" data-testid="kick-item">
              <span>{k.username}</span>
              <time dateTime={k.kicked_at}>{new Date(k.kicked_at).toLocaleString()}</time>
              <button
                type="button"
                className="button button--ghost button--small"
                aria-label={`Lift the ban on ${k.username}`}
                onClick={() => lift(k.user_id)}
              >
                Lift
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
