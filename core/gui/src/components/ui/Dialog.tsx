import { X } from 'lucide-react';
import type { ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useDialog } from '../../hooks/useDialog';

interface DialogProps {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  className?: string;
}

/** A labelled modal dialog with a focus trap; Escape, the close button or the backdrop close it. */
export function Dialog({ open, onClose, title, children, className }: DialogProps) {
  const { titleId, dialogProps } = useDialog({ open, onClose });
  if (!open) return null;
  return createPortal(
    <div
      className="dialog-backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div {...dialogProps} className={`dialog ${className ?? ''}`}>
        <header className="dialog__header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
            <X aria-hidden size={20} />
          </button>
        </header>
        {children}
      </div>
    </div>,
    document.body,
  );
}
