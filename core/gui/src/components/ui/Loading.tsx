import { LoaderCircle } from 'lucide-react';

/** A spinner with a text label for screen readers and sighted users alike. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <LoaderCircle className="spin" aria-hidden size={20} />
      <span>{label}</span>
    </div>
  );
}
