// Browser test of ICE-TCP (issue 9, item 3) inside a private network namespace: an iptables rule
// drops all UDP to the SFU's address, and two Chromium users still join voice and hear each
// other's tone — over the passive TCP candidate (RFC 6544), with no change on the client side.
// Each browser's getStats must show a selected candidate pair whose local and remote candidates
// are TCP (the remote one passive, on the SFU's port), and chorusd's /metrics must show ICE-TCP
// connections and no UDP datagram received. Prints PASS/FAIL lines.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { makeDemoMedia, startChorusd, tailOf, kAdminUser, kAdminPassword } from './lib/chorusd.mjs';
import { recordPeerConnections, selectedPath } from './lib/ice-stats.mjs';
import { currentNetns, isolateInNetns, kNetnsAnnounceIp } from './lib/netns.mjs';
import { makeTempDir } from './lib/paths.mjs';
import { Report } from './lib/report.mjs';
import { apiCall, joinVoice, makeToneWav, openUser, waitHearing } from './lib/voice.mjs';
import { waitFor } from './lib/wait.mjs';

await isolateInNetns(import.meta.url, { required: true });

const report = new Report();
const dataDir = makeTempDir('chorus-e2e-ice-tcp');
const suffix = Date.now().toString(36).slice(-5);
const password = 'ice-tcp-password-1';
const users = {};
let server = null;
let streamId = null;

/** chorusd's /metrics as { name: value }. */
async function metrics() {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const values = {};
  for (const line of text.split('\n')) {
    const match = /^(chorus_sfu_\w+)\s+([0-9.e+-]+)$/.exec(line);
    if (match) values[match[1]] = Number(match[2]);
  }
  return values;
}

async function step(name, fn) {
  const ok = await report.check(name, fn);
  if (!ok) {
    for (const [who, u] of Object.entries(users)) {
      if (!u?.page || u.page.isClosed()) continue;
      const path = await selectedPath(u.page).catch(() => null);
      console.log(`  ${who} selected path: ${JSON.stringify(path)}`);
      if (u.page.errors.length) console.log(`  ${who} page errors: ${u.page.errors.join(' | ')}`);
    }
    const ended = server?.exitStatus?.();
    if (ended) console.log(`  chorusd is no longer running (${ended})`);
  }
  return ok;
}

try {
  const ready = await step('setup: UDP to the SFU dropped, chorusd and two users', async () => {
    // Only this namespace's rules: they vanish with it. Never touch another namespace's.
    if (!currentNetns()?.startsWith('chorus-e2e-')) throw new Error('not in a test namespace');
    execFileSync('iptables', ['-A', 'INPUT', '-p', 'udp', '-d', kNetnsAnnounceIp, '-j', 'DROP']);
    await makeDemoMedia(dataDir);
    server = await startChorusd({ dataDir, extraArgs: ['--rtc-announce-ip', kNetnsAnnounceIp] });
    // Both browsers start at once (most of this test's time on a busy machine).
    await Promise.all(
      [
        ['ann', 440],
        ['bob', 880],
      ].map(async ([who, hz]) => {
        users[who] = await openUser({
          baseUrl: server.baseUrl,
          username: `${who}_${suffix}`,
          password,
          wav: makeToneWav(dataDir, hz),
        });
        await users[who].context.addInitScript(recordPeerConnections);
      }),
    );
    const streams = await apiCall(users.ann.page, 'GET', '/api/streams');
    const demo =
      streams.streams.find((s) => s.hls_url === '/media/demo/index.m3u8') ?? streams.streams[0];
    if (!demo) throw new Error('GET /api/streams has no stream');
    streamId = demo.id;
    if (!demo.voice?.enabled) {
      const admin = await openUser({
        baseUrl: server.baseUrl,
        username: kAdminUser,
        password: kAdminPassword,
        chrome: users.ann.chrome,
        login: true,
      });
      await apiCall(admin.page, 'PATCH', `/api/streams/${streamId}`, { voice_enabled: true });
      await admin.context.close();
    }
  });
  if (!ready) throw new Error('setup failed');

  await step('UDP blocked: two users join voice and hear each other over ICE-TCP', async () => {
    await joinVoice(users.ann.page, streamId);
    await joinVoice(users.bob.page, streamId);
    const annHears = await waitHearing(users.ann.page, 880);
    const bobHears = await waitHearing(users.bob.page, 440);
    console.log(`  ann hears ${JSON.stringify(annHears)}; bob hears ${JSON.stringify(bobHears)}`);
  });

  await step("each browser's selected candidate pair is TCP to the passive candidate", async () => {
    for (const who of ['ann', 'bob']) {
      const path = await waitFor(
        async () => {
          const p = await selectedPath(users[who].page);
          return p?.state === 'succeeded' && p.bytesReceived > 0 ? p : null;
        },
        { timeoutMs: 10_000, what: `${who}'s selected candidate pair` },
      );
      console.log(`  ${who}: ${JSON.stringify(path)}`);
      if (path.local.protocol !== 'tcp' || path.remote.protocol !== 'tcp') {
        throw new Error(`${who}'s selected pair is not TCP: ${JSON.stringify(path)}`);
      }
      if (path.remote.address !== kNetnsAnnounceIp || path.remote.port !== server.rtcUdpPort) {
        throw new Error(`${who}'s remote candidate is not the SFU's TCP port: ${path.remote.port}`);
      }
      if (path.remote.tcpType && path.remote.tcpType !== 'passive') {
        throw new Error(`${who}'s remote candidate is tcptype ${path.remote.tcpType}`);
      }
    }
  });

  await step('the SFU counts ICE-TCP connections and frames, and no UDP datagram', async () => {
    const m = await metrics();
    console.log(
      `  tcp_connections=${m.chorus_sfu_tcp_connections} frames_in=${m.chorus_sfu_tcp_frames_in_total}` +
        ` frames_out=${m.chorus_sfu_tcp_frames_out_total} udp packets_in=${m.chorus_sfu_packets_in_total}` +
        ` forwarded=${m.chorus_sfu_forwarded_total}`,
    );
    if (!(m.chorus_sfu_tcp_connections >= 2)) throw new Error('fewer than 2 ICE-TCP connections');
    if (!(m.chorus_sfu_tcp_frames_in_total > 100)) throw new Error('few frames in over TCP');
    if (!(m.chorus_sfu_forwarded_total > 100)) throw new Error('little audio forwarded');
    if (m.chorus_sfu_packets_in_total !== 0) {
      throw new Error(`${m.chorus_sfu_packets_in_total} UDP datagrams reached the SFU`);
    }
  });
} catch (error) {
  if (report.failed === 0) report.fail('run', error);
} finally {
  for (const u of Object.values(users)) await u?.chrome?.close();
  if (server) {
    await server.stop();
    if (report.failed > 0) console.log(`--- chorusd log (tail) ---\n${tailOf(server.logFile)}`);
  }
  if (report.failed === 0) fs.rmSync(dataDir, { recursive: true, force: true });
  else console.log(`kept ${dataDir} for inspection`);
}
process.exit(report.exitCode);
