// Waiting on conditions with deadlines (never bare sleeps), and picking free loopback ports.
// The polling and port helpers are the browser tests' own (tests/e2e/lib/wait.mjs, Node
// built-ins only); this adds a deadline around a single promise.
export { freePort, freeUdpPort, waitFor, waitForExit } from '../../e2e/lib/wait.mjs';

/** Resolves like `promise`, or rejects naming `what` after `timeoutMs` (the timer is cleared). */
export async function withTimeout(promise, timeoutMs, what = 'operation') {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
