import type { StreamTabProps } from './StreamTabProps';

/** The Info tab: description, host and dates of a stream. */
export function InfoTab({ stream, user }: StreamTabProps) {
  let host = 'No host';
  if (stream.host_id !== null)
    host = stream.host_id === user.id ? 'You' : `User #${stream.host_id}`;
  return (
    <div className="info-tab">
      <p className="info-tab__desc">{stream.description || 'No description.'}</p>
      <dl className="info-tab__facts">
        <dt>Host</dt>
        <dd>{host}</dd>
        <dt>Voice chat</dt>
        <dd>{stream.voice.enabled ? 'On' : 'Off'}</dd>
        <dt>Created</dt>
        <dd>
          <time dateTime={stream.created_at}>{new Date(stream.created_at).toLocaleString()}</time>
        </dd>
      </dl>
    </div>
  );
}
