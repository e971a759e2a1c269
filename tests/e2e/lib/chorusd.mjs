// Starting and stopping a real chorusd for a test, with its own data dir, port and logs.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { chorusdBinary, guiDist, repoRoot } from './paths.mjs';
import { freePort, freeUdpPort, waitFor, waitForExit } from './wait.mjs';

const execFileAsync = promisify(execFile);

export const kAdminUser = 'admin';
export const kAdminPassword = 'adminpass123';
const kStartTimeoutMs = 20_000;
const kStopGraceMs = 5_000;

/** Generates the demo HLS media under <dataDir>/media/demo (scripts/make-demo-media). */
export async function makeDemoMedia(dataDir) {
  const target = path.join(dataDir, 'media', 'demo');
  const { stdout } = await execFileAsync(
    path.join(repoRoot, 'scripts', 'make-demo-media'),
    [target],
    {
      timeout: 60_000,
    },
  );
  if (!fs.existsSync(path.join(target, 'index.m3u8'))) {
    throw new Error(`no demo media was generated (${stdout.trim()})`);
  }
  return target;
}

/** GET `url` accepting any certificate (a self-signed chorusd); resolves the status code. */
function getStatus(url) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.once('timeout', () => req.destroy(new Error(`${url}: no answer`)));
    req.once('error', reject);
  });
}

/**
 * Starts chorusd on 127.0.0.1:<free port> (or `host`; `tls` when the flags make it serve HTTPS)
 * with the data dir given, waits for GET /healthz,
 * with the SFU on a free UDP port (`rtcUdpPort` to choose one), and returns
 * { baseUrl, port, rtcUdpPort, pid, logFile, stop }. `stop()` sends SIGTERM, waits a bounded
 * time, then SIGKILLs that PID. Extra flags and environment variables may be passed.
 *
 * `service` ({ env, baseUrl, rtcUdpPort, logDir }) starts chorusd the way deploy/chorusd.service
 * does instead: no flags at all and exactly `env` as its environment (no test defaults, nothing
 * inherited), so every setting comes from that environment and the CHORUS_ENV_FILE it names;
 * `baseUrl` is where it will answer, `rtcUdpPort` the media port it was given.
 */
export async function startChorusd({
  dataDir,
  extraArgs = [],
  env = {},
  port,
  rtcUdpPort,
  netnsExec = [],
  host = '127.0.0.1',
  tls = false,
  service = null,
}) {
  if (!fs.existsSync(chorusdBinary)) throw new Error(`${chorusdBinary} not found (run make build)`);
  if (!fs.existsSync(path.join(guiDist, 'index.html'))) {
    throw new Error(`${guiDist}/index.html not found (run: cd core/gui && npm run build)`);
  }
  const listenPort = service ? null : (port ?? (await freePort()));
  const udpPort = service ? service.rtcUdpPort : (rtcUdpPort ?? (await freeUdpPort()));
  const logDir = service?.logDir ?? path.join(dataDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, 'chorusd.console.log');
  const out = fs.openSync(logFile, 'a');
  const args = service
    ? []
    : [
        '--listen',
        `${host}:${listenPort}`,
        '--data-dir',
        dataDir,
        '--log-dir',
        logDir,
        '--gui-dir',
        guiDist,
        '--rtc-udp-port',
        String(udpPort),
        ...extraArgs,
      ];
  const command = netnsExec.length ? netnsExec[0] : chorusdBinary;
  const commandArgs = netnsExec.length ? [...netnsExec.slice(1), chorusdBinary, ...args] : args;
  const child = spawn(command, commandArgs, {
    cwd: dataDir,
    env: service
      ? service.env
      : { ...process.env, CHORUS_BOOTSTRAP_ADMIN: `${kAdminUser}:${kAdminPassword}`, ...env },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const baseUrl = service?.baseUrl ?? `${tls ? 'https' : 'http'}://${host}:${listenPort}`;
  const secure = service ? baseUrl.startsWith('https:') : tls;

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
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

  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`chorusd exited early (${child.exitCode ?? child.signalCode})`);
        }
        if (secure) return (await getStatus(`${baseUrl}/healthz`)) === 200;
        const response = await fetch(`${baseUrl}/healthz`);
        return response.ok;
      },
      { timeoutMs: kStartTimeoutMs, intervalMs: 150, what: `${baseUrl}/healthz` },
    );
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n--- ${logFile} (tail) ---\n${tailOf(logFile)}`);
  }
  /** Returns null while chorusd runs, else how it ended ("exit 1", "signal SIGABRT"). */
  const exitStatus = () => {
    if (child.signalCode !== null) return `signal ${child.signalCode}`;
    return child.exitCode !== null ? `exit ${child.exitCode}` : null;
  };
  return {
    baseUrl,
    port: listenPort ?? Number(new URL(baseUrl).port || (secure ? 443 : 80)),
    rtcUdpPort: udpPort,
    pid: child.pid,
    logFile,
    child,
    stop,
    exitStatus,
  };
}

/** Returns the last lines of a text file, for failure reports. */
export function tailOf(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
