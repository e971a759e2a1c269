#!/usr/bin/env node
// Steady REST traffic for the fault drills: N signed-in clients each run a loop of requests and
// log every answer as one JSON line {t, client, op, status, code, retry_after, ms} (t = epoch ms
// when the answer came). Stops at --duration-s or as soon as --stop-file exists (bounded either
// way), then prints a summary object on stdout.
//
//   node rest-probe.mjs --url http://127.0.0.1:PORT --out probe.jsonl [--clients 4]
//     [--prefix probe] [--password faultpass123] [--stream 1] [--interval-ms 50]
//     [--mix me,streams,stream,roster,state,heartbeat,join:3000,leave:7000,login:5000]
//     [--duration-s 120] [--stop-file FILE] [--timeout-ms 5000]
//
// An op with ":P" runs at most every P ms per client (voice joins are rate-limited per user, and
// a login costs an argon2id hash). A client whose session answers 401 signs in again.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    out: { type: 'string' },
    clients: { type: 'string', default: '4' },
    prefix: { type: 'string', default: 'probe' },
    password: { type: 'string', default: 'faultpass123' },
    stream: { type: 'string', default: '1' },
    'interval-ms': { type: 'string', default: '50' },
    mix: { type: 'string', default: 'me,streams,stream,roster,state,heartbeat,join:3000' },
    'duration-s': { type: 'string', default: '120' },
    'stop-file': { type: 'string' },
    'timeout-ms': { type: 'string', default: '5000' },
    'ready-file': { type: 'string' },
  },
});
if (!opt.url || !opt.out) {
  console.error('usage: rest-probe.mjs --url URL --out FILE [options]');
  process.exit(1);
}
const base = opt.url.replace(/\/$/, '');
const stream = Number(opt.stream);
const intervalMs = Number(opt['interval-ms']);
const timeoutMs = Number(opt['timeout-ms']);
const deadline = Date.now() + Number(opt['duration-s']) * 1000;
const out = fs.createWriteStream(opt.out, { flags: 'a' });
const mix = opt.mix.split(',').map((item) => {
  const [op, period] = item.split(':');
  return { op, periodMs: period ? Number(period) : 0 };
});

const kOps = {
  me: ['GET', '/api/auth/me'],
  streams: ['GET', '/api/streams'],
  stream: ['GET', `/api/streams/${stream}`],
  roster: ['GET', `/api/voice/streams/${stream}/roster`],
  state: ['GET', `/api/voice/streams/${stream}/state`],
  heartbeat: ['POST', `/api/voice/streams/${stream}/heartbeat`],
  join: ['POST', `/api/voice/streams/${stream}/join`],
  leave: ['POST', `/api/voice/streams/${stream}/leave`],
  settings: ['GET', '/api/settings/voice'],
  login: ['POST', '/api/auth/login'],
  readyz: ['GET', '/readyz'],
};
for (const { op } of mix) if (!kOps[op]) throw new Error(`unknown op ${op}`);

function stopped() {
  return Date.now() >= deadline || (opt['stop-file'] && fs.existsSync(opt['stop-file']));
}

async function call(client, op) {
  const [method, path] = kOps[op];
  const headers = { Accept: 'application/json' };
  let body;
  if (client.cookie && op !== 'login') headers.Cookie = client.cookie;
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    body =
      op === 'login'
        ? JSON.stringify({ username: client.name, password: opt.password })
        : JSON.stringify({});
  }
  const started = Date.now();
  let status = 0;
  let code = null;
  let retryAfter = null;
  let contentType = null;
  try {
    const res = await fetch(base + path, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.status;
    retryAfter = res.headers.get('retry-after');
    contentType = res.headers.get('content-type');
    const cookie = res.headers.getSetCookie?.().find((c) => c.startsWith('chorus_session='));
    if (cookie) client.cookie = cookie.split(';')[0];
    const text = await res.text();
    if (status >= 400) {
      try {
        code = JSON.parse(text)?.error?.code ?? 'no_code';
      } catch {
        code = 'not_json';
      }
    }
  } catch (error) {
    code = error.name === 'TimeoutError' ? 'timeout' : 'network';
  }
  const line = {
    t: Date.now(),
    client: client.id,
    op,
    status,
    code,
    retry_after: retryAfter,
    json: contentType ? contentType.startsWith('application/json') : null,
    ms: Date.now() - started,
  };
  out.write(`${JSON.stringify(line)}\n`);
  return line;
}

async function signIn(client) {
  // Register (or log in when the name is taken) until it works or the probe stops.
  while (!stopped()) {
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    const body = JSON.stringify({ username: client.name, password: opt.password });
    try {
      for (const path of ['/api/auth/register', '/api/auth/login']) {
        const res = await fetch(base + path, {
          method: 'POST',
          headers,
          body,
          // argon2id hashing on a busy machine can take many seconds.
          signal: AbortSignal.timeout(Math.max(timeoutMs, 60_000)),
        });
        await res.text();
        const cookie = res.headers.getSetCookie?.().find((c) => c.startsWith('chorus_session='));
        if (res.ok && cookie) {
          client.cookie = cookie.split(';')[0];
          return true;
        }
        if (res.status !== 409) break;
      }
    } catch {
      // Server not answering: try again below.
    }
    await sleep(500); // retry pace of a bounded loop (ends with the probe)
  }
  return false;
}

async function runClient(id) {
  const client = { id, name: `${opt.prefix}_${id}`, cookie: null, last: new Map() };
  if (!(await signIn(client))) return;
  ready++;
  if (ready === clients && opt['ready-file']) fs.writeFileSync(opt['ready-file'], 'ready\n');
  let i = 0;
  let skipped = 0;
  while (!stopped()) {
    const { op, periodMs } = mix[i++ % mix.length];
    if (periodMs) {
      const last = client.last.get(op) ?? 0;
      if (Date.now() - last < periodMs) {
        // Nothing in the mix is due: wait one interval rather than spin.
        if (++skipped >= mix.length) {
          skipped = 0;
          await sleep(intervalMs);
        }
        continue;
      }
      client.last.set(op, Date.now());
    }
    skipped = 0;
    const line = await call(client, op);
    if (line.status === 401 && op !== 'login') await signIn(client);
    await sleep(intervalMs); // request pace of this client
  }
}

const clients = Number(opt.clients);
let ready = 0;
await Promise.all(Array.from({ length: clients }, (_, id) => runClient(id)));
await new Promise((resolve) => out.end(resolve));
process.exit(0);
