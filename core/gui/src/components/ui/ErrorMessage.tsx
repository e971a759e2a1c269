import { AlertCircle } from 'lucide-react';
import { describeError } from '../../lib/api/ApiError';

interface ErrorMessageProps {
  error: unknown;
  /** Shown as a "Try again" button when given. */
  onRetry?: () => void;
}

/** An inline, announced error with the server's message. */
export function ErrorMessage({ error, onRetry }: ErrorMessageProps) {
  return (
    <div className="error-message" role="alert">
      <AlertCircle aria-hidden size={18} />
      <span>{describeError(error)}</span>
      {onRetry && (
        <button type="button" className="button button--ghost" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
