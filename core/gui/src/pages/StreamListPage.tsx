import { StreamCard } from '../components/streams/StreamCard';
import { ErrorMessage } from '../components/ui/ErrorMessage';
import { Loading } from '../components/ui/Loading';
import { useStreams } from '../hooks/useStreams';
import { useDocumentTitle } from '../hooks/useDocumentTitle';

/** The home page: every stream as a card. */
export function StreamListPage() {
  const streams = useStreams();
  useDocumentTitle('Streams');
  return (
    <div className="page">
      <h1 className="page__title">Streams</h1>
      {streams.error != null && (
        <ErrorMessage error={streams.error} onRetry={() => void streams.refetch()} />
      )}
      {streams.isPending && <Loading label="Loading streams…" />}
      {streams.data?.length === 0 && <p className="empty">No streams yet.</p>}
      {streams.data && streams.data.length > 0 && (
        <ul className="stream-grid" aria-label="Streams">
          {streams.data.map((stream) => (
            <StreamCard key={stream.id} stream={stream} />
          ))}
        </ul>
      )}
    </div>
  );
}
