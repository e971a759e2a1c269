// Push-to-talk: holding the chosen key (KeyboardEvent.code) opens the microphone.
import { useEffect } from 'react';

/** True when the key event comes from a field where typing must not talk. */
function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== 'string') return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** Calls `onChange(true)` while `code` is held (outside text fields), false on release or blur. */
export function usePushToTalk(
  enabled: boolean,
  code: string,
  onChange: (pressed: boolean) => void,
) {
  useEffect(() => {
    if (!enabled || !code) return undefined;
    const down = (event: KeyboardEvent) => {
      if (event.code === code && !event.repeat && !isTyping(event.target)) onChange(true);
    };
    const up = (event: KeyboardEvent) => {
      if (event.code === code) onChange(false);
    };
    const release = () => onChange(false);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', release);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', release);
      onChange(false);
    };
  }, [enabled, code, onChange]);
}
