import { useState } from 'react';
import { describeKey } from '../../lib/voice/settings';

/** A button that, once pressed, records the next key as the push-to-talk key (Escape cancels). */
export function PttKeyCapture({
  value,
  onChange,
  disabled,
}: {
  value: string;
  onChange: (code: string) => void;
  disabled?: boolean;
}) {
  const [capturing, setCapturing] = useState(false);
  return (
    <button
      type="button"
      className={`button ${capturing ? 'button--primary' : ''}`}
      disabled={disabled}
      aria-label={
        capturing
          ? 'Press a key for push-to-talk, Escape to cancel'
          : `Push-to-talk key: ${describeKey(value)}. Change`
      }
      onClick={() => setCapturing(true)}
      onBlur={() => setCapturing(false)}
      onKeyDown={(event) => {
        if (!capturing) return;
        event.preventDefault();
        event.stopPropagation();
        setCapturing(false);
        if (event.key !== 'Escape') onChange(event.code);
      }}
    >
      {capturing ? 'Press a key…' : describeKey(value)}
    </button>
  );
}
