import { Hand } from 'lucide-react';

interface HandButtonProps {
  raised: boolean;
  onToggle: (raised: boolean) => void;
}

/** Raise hand / Lower hand, for listeners in a stage room. */
export function HandButton({ raised, onToggle }: HandButtonProps) {
  return (
    <button
      type="button"
      className={`button ${raised ? 'button--primary' : ''}`}
      onClick={() => onToggle(!raised)}
    >
      <Hand aria-hidden size={18} />
      {raised ? 'Lower hand' : 'Raise hand'}
    </button>
  );
}
