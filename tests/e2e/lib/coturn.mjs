// Starting and stopping a private coturn (Debian's /usr/bin/turnserver) for a test: in the
// foreground with a config file of its own in the test's temp dir (never /etc/turnserver.conf,
// never the Debian service), `use-auth-secret` credentials (the TURN REST scheme chorusd's
// --turn-secret issues), listening and relaying only on the address given, logging to a file.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { freeUdpPort, waitFor, waitForExit } from './wait.mjs';

export const kTurnserverPath = process.env.TURNSERVER_BIN ?? '/usr/bin/turnserver';
const kStartTimeoutMs = 15_000;
const kStopGraceMs = 5_000;

/** coturn's `use-auth-secret` password for `username`: base64(HMAC-SHA1(secret, username)). */
export function turnCredential(secret, username) {
  return crypto.createHmac('sha1', secret).update(username).digest('base64');
}

/**
 * Sends one STUN Binding request (RFC 5389) over UDP to `host:port`; resolves true when a
 * Binding success response with the same transaction ID comes back within `timeoutMs`.
 */
export function stunBinding(host, port, timeoutMs = 1_000) {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const id = crypto.randomBytes(12);
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // Binding request
    request.writeUInt16BE(0, 2); // no attributes
    request.writeUInt32BE(0x2112a442, 4); // magic cookie
    id.copy(request, 8);
    let settled = false;
    const done = (ok) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('message', (msg) => {
      if (msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.subarray(8, 20).equals(id)) {
        done(true);
      }
    });
    socket.send(request, port, host, (error) => {
      if (error) done(false);
    });
  });
}

/**
 * Starts turnserver on `ip` (listening and relay address) with a fresh config in `dir`, waits
 * until it answers a STUN Binding request, and returns { port, url, configFile, logFile, pid,
 * log(), stop(), exitStatus() }. `url` is `turn:<ip>:<port>?transport=udp`. The relay ports come
 * from a small range picked at random in 40000–59999 (coturn skips ports it cannot bind).
 */
export async function startCoturn({ dir, ip, secret, realm = 'chorus.test', port }) {
  if (!fs.existsSync(kTurnserverPath)) {
    throw new Error(`${kTurnserverPath} not found (apt-get install coturn)`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const listeningPort = port ?? (await freeUdpPort());
  const minPort = 40_000 + 200 * Math.floor(Math.random() * 100);
  const configFile = path.join(dir, 'turnserver.conf');
  const logFile = path.join(dir, 'turnserver.log');
  // Every path coturn would otherwise take from the system (pid file, SQLite user database,
  // log file) points into `dir`; `-c` makes it read this file and nothing else.
  const config = [
    `listening-ip=${ip}`,
    `relay-ip=${ip}`,
    `listening-port=${listeningPort}`,
    `min-port=${minPort}`,
    `max-port=${minPort + 199}`,
    'use-auth-secret',
    `static-auth-secret=${secret}`,
    `realm=${realm}`,
    'fingerprint',
    'no-cli',
    'no-tls',
    'no-dtls',
    'no-tcp-relay',
    'no-multicast-peers',
    'no-software-attribute',
    `pidfile=${path.join(dir, 'turnserver.pid')}`,
    `userdb=${path.join(dir, 'turndb')}`,
    'log-file=stdout',
    'simple-log',
    'verbose',
    '',
  ].join('\n');
  fs.writeFileSync(configFile, config, { mode: 0o600 });
  const out = fs.openSync(logFile, 'a');
  const child = spawn(kTurnserverPath, ['-c', configFile], {
    cwd: dir,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);

  const exitStatus = () => {
    if (child.signalCode !== null) return `signal ${child.signalCode}`;
    return child.exitCode !== null ? `exit ${child.exitCode}` : null;
  };
  const stop = async () => {
    if (exitStatus() !== null) return;
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      return;
    }
    if (!(await waitForExit(child, kStopGraceMs))) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await waitForExit(child, kStopGraceMs);
    }
  };
  const log = () => {
    try {
      return fs.readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };

  // An early exit (bad config, port taken) fails at once instead of at the deadline.
  let exited;
  const exitWatch = new Promise((_, reject) => {
    exited = () => reject(new Error(`turnserver exited early (${exitStatus()})`));
    child.once('exit', exited);
    child.once('error', (error) => reject(new Error(`turnserver did not start: ${error.message}`)));
  });
  exitWatch.catch(() => {});
  try {
    await Promise.race([
      exitWatch,
      waitFor(() => exitStatus() === null && stunBinding(ip, listeningPort), {
        timeoutMs: kStartTimeoutMs,
        intervalMs: 150,
        what: `coturn answering STUN on ${ip}:${listeningPort}`,
      }),
    ]);
    child.off('exit', exited);
  } catch (error) {
    await stop();
    const tail = log().split('\n').slice(-30).join('\n');
    throw new Error(`${error.message}\n--- ${logFile} (tail) ---\n${tail}`);
  }
  return {
    port: listeningPort,
    url: `turn:${ip}:${listeningPort}?transport=udp`,
    configFile,
    logFile,
    pid: child.pid,
    child,
    log,
    stop,
    exitStatus,
  };
}
