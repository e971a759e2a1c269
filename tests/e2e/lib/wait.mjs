// Waiting on conditions with deadlines (never bare sleeps), and picking free loopback ports.
import dgram from 'node:dgram';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` until it returns a truthy value and returns that value. Throws after
 * `timeoutMs` with `what` and the last probe error in the message.
 */
export async function waitFor(
  probe,
  { timeoutMs = 10_000, intervalMs = 100, what = 'condition' } = {},
) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? ` (last error: ${lastError.message ?? lastError})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await sleep(intervalMs);
  }
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when `child` exits, or after `timeoutMs` with false. */
export function waitForExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Returns a UDP port on 127.0.0.1 that was free a moment ago. */
export async function freeUdpPort() {
  // chorusd's ICE-TCP listener takes the same number over TCP (--rtc-tcp-port defaults to the
  // UDP port), so the port must be free for both; a UDP port the kernel picks can be the local
  // port of a live TCP connection.
  const bindUdp = () =>
    new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.on('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve(socket));
    });
  const tcpFree = (port) =>
    new Promise((resolve) => {
      const server = net.createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const socket = await bindUdp();
    const { port } = socket.address();
    const free = await tcpFree(port);
    await new Promise((resolve) => socket.close(resolve));
    if (free) return port;
  }
  throw new Error('no port free for both UDP and TCP after 50 attempts');
}
