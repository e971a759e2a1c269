// Following docs/deploy.md in a test: the operator's copy of deploy/chorusd.env.example with only
// the values the guide says to edit, a certificate pair shaped like certbot's (fullchain.pem =
// leaf + intermediate, privkey.pem = PKCS#8 key), the environment deploy/chorusd.service gives
// chorusd, and the `chorusd --check` command the guide tells operators to run.
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { chorusdBinary, repoRoot } from './paths.mjs';

const execFileAsync = promisify(execFile);

export const kEnvExample = path.join(repoRoot, 'deploy', 'chorusd.env.example');
export const kServiceUnit = path.join(repoRoot, 'deploy', 'chorusd.service');
export const kDeployGuide = path.join(repoRoot, 'docs', 'deploy.md');

function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Writes, under `dir`, what certbot leaves in /etc/letsencrypt/live/<name>/ for a certificate on
 * the IP address `ip`: fullchain.pem (leaf, then the intermediate that signed it) and privkey.pem
 * (EC P-256, PKCS#8), issued by a private root (root.pem, for clients that verify). Returns
 * { fullchain, privkey, root, rootPem, leafSha256 } (leafSha256: hex, upper case, no colons).
 */
export function makeCertbotLikePair(dir, ip) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'ca.ext'),
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n',
  );
  fs.writeFileSync(
    path.join(dir, 'leaf.ext'),
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' +
      `extendedKeyUsage=serverAuth\nsubjectAltName=IP:${ip}\n`,
  );
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes';
  for (const command of [
    `req -x509 ${ec} -days 2 -keyout root.key -out root.pem -subj /CN=chorus-e2e-root` +
      ' -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign',
    `req ${ec} -keyout ca.key -out ca.csr -subj /CN=chorus-e2e-R3`,
    'x509 -req -in ca.csr -CA root.pem -CAkey root.key -set_serial 2 -days 2 -extfile ca.ext' +
      ' -out chain.pem',
    `req ${ec} -keyout privkey.pem -out leaf.csr -subj /CN=${ip}`,
    'x509 -req -in leaf.csr -CA chain.pem -CAkey ca.key -set_serial 3 -days 2 -extfile leaf.ext' +
      ' -out cert.pem',
  ]) {
    openssl(command.split(' '), dir);
  }
  const leaf = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  fs.writeFileSync(
    path.join(dir, 'fullchain.pem'),
    leaf + fs.readFileSync(path.join(dir, 'chain.pem'), 'utf8'),
  );
  for (const f of ['root.key', 'ca.key', 'ca.csr', 'leaf.csr', 'ca.ext', 'leaf.ext']) {
    fs.rmSync(path.join(dir, f));
  }
  const rootPem = fs.readFileSync(path.join(dir, 'root.pem'), 'utf8');
  return {
    fullchain: path.join(dir, 'fullchain.pem'),
    privkey: path.join(dir, 'privkey.pem'),
    root: path.join(dir, 'root.pem'),
    rootPem,
    leafSha256: new crypto.X509Certificate(leaf).fingerprint256.replaceAll(':', ''),
  };
}

/**
 * Applies an operator's edits to the text of deploy/chorusd.env.example. Each edit names one line
 * of the example, which must exist exactly once:
 *   { set: KEY, value }     the active line KEY=…        → KEY=value
 *   { enable: KEY, value }  the commented line #KEY=…    → KEY=value (KEY=… without value)
 *   { disable: KEY }        the active line KEY=…        → #KEY=…
 * `note` (optional) adds a comment line above the edited one. Every other line stays as it is.
 */
export function editEnvExample(text, edits) {
  const lines = text.split('\n');
  const replaced = new Map();
  for (const edit of edits) {
    const key = edit.set ?? edit.enable ?? edit.disable;
    const prefix = edit.enable ? `#${key}=` : `${key}=`;
    const at = lines.flatMap((line, i) => (line.startsWith(prefix) ? [i] : []));
    if (at.length !== 1) {
      throw new Error(`deploy/chorusd.env.example has ${at.length} lines starting ${prefix}`);
    }
    let line = `${key}=${edit.value}`;
    if (edit.disable) line = `#${lines[at[0]]}`;
    else if (edit.enable && edit.value === undefined) line = lines[at[0]].slice(1);
    replaced.set(at[0], edit.note ? [`# ${edit.note}`, line] : [line]);
  }
  return lines.flatMap((line, i) => replaced.get(i) ?? [line]).join('\n');
}

/** The active value of KEY in an env file's text (null when unset). */
export function envValue(text, key) {
  const line = text.split('\n').find((l) => l.startsWith(`${key}=`));
  return line === undefined ? null : line.slice(key.length + 1);
}

/**
 * Lines `KEY=value # comment` in `text`: chorusd (and systemd's EnvironmentFile) keep the
 * "# comment" as part of the value.
 */
export function inlineComments(text) {
  return text.split('\n').filter((l) => /^\s*CHORUS_[A-Z0-9_]+=\S*\s+#/.test(l));
}

/** The KEY=value words of `text` (CHORUS_* only) as an object. */
function assignments(text) {
  const out = {};
  for (const word of text.split(/\s+/)) {
    const match = /^(CHORUS_[A-Z0-9_]+)=(.*)$/.exec(word);
    if (match) out[match[1]] = match[2];
  }
  return out;
}

/** The variables deploy/chorusd.service sets with Environment= lines, as an object. */
export function unitEnvironment() {
  const unit = fs.readFileSync(kServiceUnit, 'utf8');
  const lines = unit.split('\n').filter((l) => l.startsWith('Environment='));
  return assignments(lines.map((l) => l.slice('Environment='.length)).join(' '));
}

/** The CHORUS_* variables of the `chorusd --check` command in docs/deploy.md's sh blocks. */
export function guideCheckEnvironment() {
  const guide = fs.readFileSync(kDeployGuide, 'utf8');
  const blocks = [...guide.matchAll(/^\s*```sh\n([\s\S]*?)^\s*```/gm)].map((m) => m[1]);
  const commands = blocks
    .flatMap((b) => b.replace(/\\\n/g, ' ').split('\n'))
    .filter((l) => /chorusd --check/.test(l));
  if (commands.length !== 1) {
    throw new Error(`docs/deploy.md has ${commands.length} sh lines running chorusd --check`);
  }
  return { command: commands[0].replace(/\s+/g, ' ').trim(), env: assignments(commands[0]) };
}

/**
 * Maps the production paths of `env` (values) to test paths: each value must be a key of
 * `paths` (e.g. { '/var/lib/chorus': dataDir }), so a new path in the unit fails loudly.
 */
export function mapPaths(env, paths) {
  const out = {};
  for (const [key, value] of Object.entries(env)) {
    if (!(value in paths)) throw new Error(`${key}=${value}: no test path for ${value}`);
    out[key] = paths[value];
  }
  return out;
}

/**
 * Runs `chorusd --check` with exactly `env` (plus PATH) in `cwd`; resolves
 * { code, stdout, stderr } (never throws on a non-zero exit).
 */
export async function runCheck(env, cwd) {
  try {
    const { stdout, stderr } = await execFileAsync(chorusdBinary, ['--check'], {
      cwd,
      env: { PATH: process.env.PATH, ...env },
      timeout: 15_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (typeof error.code !== 'number') throw error;
    return { code: error.code, stdout: error.stdout ?? '', stderr: error.stderr ?? '' };
  }
}

/**
 * GET `url` like `curl --cacert <root>`: the server's chain must verify against `rootPem`
 * alone (so it must send its intermediate). Resolves { status, headers, body }.
 */
export function getVerified(url, rootPem) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: rootPem, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.once('timeout', () => req.destroy(new Error(`${url}: no answer`)));
    req.once('error', reject);
  });
}
