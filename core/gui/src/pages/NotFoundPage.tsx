import { Link } from 'react-router-dom';
import { useDocumentTitle } from '../hooks/useDocumentTitle';

/** Shown for any address the app does not know. */
export function NotFoundPage() {
  useDocumentTitle('Not found');
  return (
    <div className="page">
      <h1 className="page__title">Page not found</h1>
      <p>
        <Link to="/">Back to the streams</Link>
      </p>
    </div>
  );
}
