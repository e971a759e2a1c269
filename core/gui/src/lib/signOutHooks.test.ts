import { afterEach, describe, expect, it, vi } from 'vitest';
import { onBeforeSignOut, runSignOutHooks } from './signOutHooks';

const unregister: Array<() => void> = [];
afterEach(() => unregister.splice(0).forEach((f) => f()));

describe('signOutHooks', () => {
  it('awaits every hook, survives a failing one, and stops calling unregistered ones', async () => {
    const order: string[] = [];
    unregister.push(
      onBeforeSignOut(async () => {
        await Promise.resolve();
        order.push('voice left');
      }),
    );
    unregister.push(
      onBeforeSignOut(() => {
        throw new Error('boom');
      }),
    );
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const removed = vi.fn();
    onBeforeSignOut(removed)();
    await runSignOutHooks();
    expect(order).toEqual(['voice left']);
    expect(removed).not.toHaveBeenCalled();
  });

  it('does not wait longer than the timeout for a hung hook', async () => {
    unregister.push(onBeforeSignOut(() => new Promise<void>(() => {})));
    const started = Date.now();
    await runSignOutHooks(50);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
