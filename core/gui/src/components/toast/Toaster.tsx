import { X } from 'lucide-react';
import { useToasts } from '../../hooks/useToasts';

/** Renders the app-wide toasts in a polite live region. */
export function Toaster() {
  const { items, dismiss } = useToasts();
  return (
    <div className="toaster" aria-live="polite" aria-relevant="additions">
      {items.map((toast) => (
        <div
          key={toast.id}
          className={`toast toast--${toast.tone}`}
          role={toast.tone === 'error' ? 'alert' : 'status'}
        >
          <span>{toast.message}</span>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss"
            onClick={() => dismiss(toast.id)}
          >
            <X aria-hidden size={16} />
          </button>
        </div>
      ))}
    </div>
  );
}
