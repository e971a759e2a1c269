import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { kMaxToasts, kToastLifetimeMs, ToastStore } from './toastStore';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ToastStore', () => {
  it('adds, notifies, merges duplicates and expires toasts', () => {
    const store = new ToastStore();
    const listener = vi.fn();
    store.subscribe(listener);
    const id = store.push('error', 'boom');
    expect(store.push('error', 'boom')).toBe(id);
    expect(store.snapshot()).toHaveLength(1);
    expect(listener).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(kToastLifetimeMs);
    expect(store.snapshot()).toHaveLength(0);
  });

  it('keeps only the newest toasts', () => {
    const store = new ToastStore();
    for (let i = 0; i < kMaxToasts + 2; i++) store.push('info', `m${i}`);
    expect(store.snapshot().map((t) => t.message)).toEqual(
      Array.from({ length: kMaxToasts }, (_, i) => `m${i + 2}`),
    );
  });
});
