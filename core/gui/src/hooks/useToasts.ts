// Subscribes a component to the app-wide toast store.
import { useSyncExternalStore } from 'react';
import { toasts, type Toast } from '../lib/toastStore';

/** Returns the current toasts and a dismiss function. */
export function useToasts(): { items: readonly Toast[]; dismiss: (id: number) => void } {
  const items = useSyncExternalStore(toasts.subscribe, toasts.snapshot);
  return { items, dismiss: (id) => toasts.dismiss(id) };
}
