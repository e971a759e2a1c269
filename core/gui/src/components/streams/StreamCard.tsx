import { Play } from 'lucide-react';
import { Link } from 'react-router-dom';
import type { Stream } from '../../lib/api/types';
import { VoiceBadge } from './VoiceBadge';

/** One stream in the list: a link to its page with title, description and voice badge. */
export function StreamCard({ stream }: { stream: Stream }) {
  return (
    <li className="stream-card">
      <Link to={`/streams/${stream.id}`} className="stream-card__link">
        <div className="stream-card__thumb" aria-hidden>
          <Play size={32} />
        </div>
        <div className="stream-card__body">
          <h2 className="stream-card__title">{stream.title}</h2>
          {stream.description && <p className="stream-card__desc">{stream.description}</p>}
          <VoiceBadge voice={stream.voice} />
        </div>
      </Link>
    </li>
  );
}
