import { Link } from 'react-router-dom';

/** Shown for any address the app does not know. */
export function NotFoundPage() {
  return (
    <div className="page">
      <h1 className="page__title">Page not found</h1>
      <p>
        <Link to="/">Back to the streams</Link>
      </p>
    </div>
  );
}
