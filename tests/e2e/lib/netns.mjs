// Running an e2e script inside a private network namespace (../shared/TESTING.md "The network
// rule"): lo plus a veth pair whose both ends stay inside, no default route, so nothing leaves.
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The address the SFU can announce inside the namespace. */
export const kNetnsAnnounceIp = '10.78.0.1';
const kEnvMarker = 'CHORUS_E2E_NETNS';

function ip(...args) {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates the namespace `name` with lo and a veth pair; throws if the kernel refuses. */
export function createNetns(name) {
  ip('netns', 'add', name);
  try {
    ip('-n', name, 'link', 'set', 'lo', 'up');
    ip('-n', name, 'link', 'add', 'vt0', 'type', 'veth', 'peer', 'name', 'vt1');
    ip('-n', name, 'addr', 'add', `${kNetnsAnnounceIp}/24`, 'dev', 'vt0');
    ip('-n', name, 'link', 'set', 'vt0', 'up');
    ip('-n', name, 'link', 'set', 'vt1', 'up');
  } catch (error) {
    deleteNetns(name);
    throw error;
  }
}

/** Deletes the namespace `name` (no error if it is gone). */
export function deleteNetns(name) {
  try {
    ip('netns', 'del', name);
  } catch {
    // Already deleted.
  }
}

/** Returns the namespace this process runs in when started by isolateInNetns, else null. */
export function currentNetns() {
  return process.env[kEnvMarker] ?? null;
}

/**
 * Re-runs the calling script inside a fresh namespace and exits with its status; returns only
 * in the child (already inside) or when namespaces are unavailable and `required` is false.
 * Call first thing: `await isolateInNetns(import.meta.url)`.
 */
export async function isolateInNetns(scriptUrl, { required = false } = {}) {
  if (currentNetns()) return;
  const name = `chorus-e2e-${process.pid}`;
  try {
    createNetns(name);
  } catch (error) {
    const reason = String(error.stderr ?? error.message).trim();
    if (required) {
      console.log(`FAIL netns: cannot create a network namespace (${reason})`);
      process.exit(1);
    }
    console.log(`note: no network namespace (${reason}); running on loopback in this namespace`);
    return;
  }
  const script = fileURLToPath(scriptUrl);
  const child = spawn(
    'ip',
    ['netns', 'exec', name, process.execPath, script, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, [kEnvMarker]: name } },
  );
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise((resolve) => {
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
  deleteNetns(name);
  process.exit(code);
}
