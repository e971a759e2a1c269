import { RefreshCw } from 'lucide-react';
import { useAuditLog } from '../../hooks/useAuditLog';
import { describeAuditEntry } from '../../lib/voice/auditText';
import { ErrorMessage } from '../ui/ErrorMessage';
import { Loading } from '../ui/Loading';

/** The room's moderation log, newest first, with a Refresh button. */
export function AuditLog({ streamId }: { streamId: number }) {
  const query = useAuditLog(streamId, true);
  const entries = query.data ?? [];
  return (
    <section className="audit-log" aria-label="Moderation log">
      <div className="audit-log__top">
        <h4>Moderation log</h4>
        <button
          type="button"
          className="button button--ghost button--small"
          aria-label="Refresh the moderation log"
          onClick={() => void query.refetch()}
        >
          <RefreshCw aria-hidden size={14} /> Refresh
        </button>
      </div>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorMessage error={query.error} />
      ) : entries.length === 0 ? (
        <p className="audit-log__empty">Nothing yet.</p>
      ) : (
        <ol className="audit-log__list">
          {entries.map((e) => (
            <li key={e.id} className="audit-log__item" data-testid="audit-entry">
              <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>{' '}
              <span>{describeAuditEntry(e)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
