import { ArrowLeft } from 'lucide-react';
import { useCallback } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { VideoPlayer } from '../components/player/VideoPlayer';
import { streamTabs } from '../components/stream/streamTabs';
import { VoiceBadge } from '../components/streams/VoiceBadge';
import { VoiceHud } from '../components/voice/VoiceHud';
import { TabView } from '../components/tabs/TabView';
import { ErrorMessage } from '../components/ui/ErrorMessage';
import { Loading } from '../components/ui/Loading';
import { useAuth } from '../hooks/useAuth';
import { useStream } from '../hooks/useStreams';
import { useDocumentTitle } from '../hooks/useDocumentTitle';

/** One stream: the player (with the voice HUD), its title, and the tabs (Info, Voice). */
export function StreamPage() {
  const { streamId } = useParams();
  const id = Number(streamId);
  const stream = useStream(id);
  useDocumentTitle(stream.data?.title);
  const { user } = useAuth();
  const [params, setParams] = useSearchParams();
  const onTabChange = useCallback(
    (tab: string) => setParams({ tab }, { replace: true }),
    [setParams],
  );

  if (!Number.isInteger(id) || id <= 0) {
    return <ErrorMessage error={new Error('This stream address is not valid.')} />;
  }
  if (stream.isPending) return <Loading label="Loading stream…" />;
  if (!stream.data || !user)
    return <ErrorMessage error={stream.error} onRetry={() => void stream.refetch()} />;

  const data = stream.data;
  return (
    <div className="page stream-page">
      <Link to="/" className="back-link">
        <ArrowLeft aria-hidden size={16} /> All streams
      </Link>
      {data.hls_url ? (
        <VideoPlayer src={data.hls_url} title={data.title} hud={<VoiceHud streamId={data.id} />} />
      ) : (
        <div className="player player--empty">This stream has no video source.</div>
      )}
      {stream.error != null && <ErrorMessage error={stream.error} />}
      <div className="stream-page__heading">
        <h1 className="page__title">{data.title}</h1>
        <VoiceBadge voice={data.voice} />
      </div>
      <TabView
        tabs={streamTabs}
        panelProps={{ stream: data, user }}
        label="Stream"
        initialId={params.get('tab') ?? undefined}
        onChange={onTabChange}
      />
    </div>
  );
}
