import { AlertCircle } from 'lucide-react';
import type { UnmuteRefusal } from '../../lib/voice/VoiceClient';

interface StageNoticesProps {
  /** The last refused unmute, or null. */
  refusal: UnmuteRefusal | null;
  /** The latest stage announcement about oneself, and its sequence number. */
  announcement: { text: string; seq: number };
}

/**
 * Why an unmute was refused (an alert), and an aria-live region announcing one's own stage
 * changes ("Your hand was approved — you can unmute now", moved to the audience, …).
 */
export function StageNotices({ refusal, announcement }: StageNoticesProps) {
  return (
    <>
      {refusal && (
        <p
          className="error-message"
          role="alert"
          data-testid="unmute-refused"
          data-code={refusal.code}
        >
          <AlertCircle aria-hidden size={18} />
          <span>{refusal.message}</span>
        </p>
      )}
      <p
        className="stage-announcement"
        aria-live="polite"
        aria-atomic="true"
        data-testid="stage-announcement"
      >
        {/* A new key per announcement makes a repeated sentence be read again. */}
        {announcement.text && <span key={announcement.seq}>{announcement.text}</span>}
      </p>
    </>
  );
}
