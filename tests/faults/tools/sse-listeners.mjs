#!/usr/bin/env node
// Voice event-stream listeners for the soak: `--steady` connections held for the whole run and
// `--churn` connections that close and reopen (with Last-Event-ID) every `--churn-period-s`,
// spread over `--streams`, signed in as `--users` accounts (registered here). Bounded: stops at
// --duration-s or when --stop-file exists. Rewrites --status-file every 5 s and prints a final
// summary: {open, opened, events, keepalives, errors, by_error}.
//
//   node sse-listeners.mjs --url URL --streams 1,2,3 [--users 10] [--prefix soak_sse]
//     [--password faultpass123] [--steady 100] [--churn 20] [--churn-period-s 30]
//     [--duration-s 1800] [--stop-file FILE] [--status-file FILE]
import fs from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    streams: { type: 'string', default: '1' },
    users: { type: 'string', default: '10' },
    prefix: { type: 'string', default: 'soak_sse' },
    password: { type: 'string', default: 'faultpass123' },
    steady: { type: 'string', default: '100' },
    churn: { type: 'string', default: '20' },
    'churn-period-s': { type: 'string', default: '30' },
    'duration-s': { type: 'string', default: '1800' },
    'stop-file': { type: 'string' },
    'status-file': { type: 'string' },
  },
});
if (!opt.url) {
  console.error('usage: sse-listeners.mjs --url URL [options]');
  process.exit(1);
}
const base = new URL(opt.url);
const streams = opt.streams.split(',').map(Number);
const deadline = Date.now() + Number(opt['duration-s']) * 1000;
const churnPeriodMs = Number(opt['churn-period-s']) * 1000;
const stats = { open: 0, opened: 0, events: 0, keepalives: 0, errors: 0, by_error: {} };
const agent = new http.Agent({ keepAlive: false });

const stopped = () =>
  Date.now() >= deadline || (opt['stop-file'] && fs.existsSync(opt['stop-file']));

async function signIn(name) {
  const body = JSON.stringify({ username: name, password: opt.password });
  for (let attempt = 0; attempt < 60 && !stopped(); attempt++) {
    for (const path of ['/api/auth/register', '/api/auth/login']) {
      try {
        const res = await fetch(new URL(path, base), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body,
          signal: AbortSignal.timeout(60_000),
        });
        await res.text();
        const cookie = res.headers.getSetCookie().find((c) => c.startsWith('chorus_session='));
        if (res.ok && cookie) return cookie.split(';')[0];
        if (res.status !== 409) break;
      } catch {
        break;
      }
    }
    await sleep(1000); // retry pace (hash pool busy, server starting)
  }
  throw new Error(`cannot sign in ${name}`);
}

function countError(kind) {
  stats.errors++;
  stats.by_error[kind] = (stats.by_error[kind] ?? 0) + 1;
}

/** Holds one event stream open until `until` (ms) or the run stops; resolves the last event id. */
function listen(cookie, stream, lastEventId, until) {
  return new Promise((resolve) => {
    let last = lastEventId;
    let buffer = '';
    const headers = { Cookie: cookie, Accept: 'text/event-stream' };
    if (last) headers['Last-Event-ID'] = last;
    const req = http.get(
      {
        host: base.hostname,
        port: base.port,
        path: `/api/voice/streams/${stream}/events`,
        headers,
        agent,
      },
      (res) => {
        if (res.statusCode !== 200) {
          countError(`http_${res.statusCode}`);
          res.resume();
          res.on('end', () => resolve(last));
          return;
        }
        stats.open++;
        stats.opened++;
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buffer += chunk;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            if (frame.startsWith(':')) stats.keepalives++;
            else stats.events++;
            const id = frame.match(/^id: ?(.*)$/m);
            if (id) last = id[1];
          }
        });
        res.on('close', () => {
          stats.open--;
          clearInterval(timer);
          resolve(last);
        });
      },
    );
    req.on('error', (error) => {
      countError(error.code ?? 'error');
      clearInterval(timer);
      resolve(last);
    });
    const timer = setInterval(() => {
      if (Date.now() >= until || stopped()) req.destroy();
    }, 250);
  });
}

async function runListener(i, cookie, churn) {
  const stream = streams[i % streams.length];
  let last = null;
  while (!stopped()) {
    const until = churn ? Date.now() + churnPeriodMs * (0.5 + Math.random()) : deadline;
    const started = Date.now();
    last = await listen(cookie, stream, last, until);
    // A stream that ended early (server closed it, error) is reopened after a pause.
    if (Date.now() - started < 1000) await sleep(1000); // reconnect pace
  }
}

const userCount = Number(opt.users);
const cookies = [];
for (let u = 0; u < userCount; u++) cookies.push(await signIn(`${opt.prefix}_${u}`));
const writeStatus = () => {
  if (opt['status-file'])
    fs.writeFileSync(opt['status-file'], JSON.stringify({ t: Date.now(), ...stats }));
};
const statusTimer = setInterval(writeStatus, 5000);
writeStatus();
const steady = Number(opt.steady);
const churn = Number(opt.churn);
await Promise.all([
  ...Array.from({ length: steady }, (_, i) => runListener(i, cookies[i % userCount], false)),
  ...Array.from({ length: churn }, (_, i) =>
    runListener(steady + i, cookies[(steady + i) % userCount], true),
  ),
]);
clearInterval(statusTimer);
writeStatus();
console.log(JSON.stringify(stats));
process.exit(0);
