// Browser test of TURN (issue 9): a private coturn (lib/coturn.mjs, `use-auth-secret`) runs in the
// test's network namespace next to chorusd, which hands out time-limited credentials for it in
// the join response (--turn-urls, --turn-secret). Ann's Chromium is forced to relay only (an init
// script adds iceTransportPolicy 'relay' to the GUI's RTCPeerConnection, whose iceServers come
// from the join response as they are); Ann and Bob still hear each other's tone, Ann's selected
// candidate pair is local `relay`, and coturn's log shows Ann's allocation under the username
// "<expiry>:<user id>" chorusd issued (and the credential is its HMAC under the shared secret).
// Negative: Cy, relay-only with one character of the issued credential changed, is refused by
// coturn (401), gathers no candidate at all, and so has no media path. Prints PASS/FAIL lines.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startChorusd, tailOf, kAdminUser, kAdminPassword } from './lib/chorusd.mjs';
import { startCoturn, turnCredential } from './lib/coturn.mjs';
import { selectedPath } from './lib/ice-stats.mjs';
import { isolateInNetns, kNetnsAnnounceIp } from './lib/netns.mjs';
import { makeTempDir } from './lib/paths.mjs';
import { Report } from './lib/report.mjs';
import { apiCall, joinVoice, makeToneWav, openUser, waitHearing } from './lib/voice.mjs';
import { waitFor } from './lib/wait.mjs';

await isolateInNetns(import.meta.url, { required: true });

const report = new Report();
const dataDir = makeTempDir('chorus-e2e-turn');
const suffix = Date.now().toString(36).slice(-5);
const password = 'turn-password-1';
const turnSecret = crypto.randomBytes(24).toString('base64url');
const turnTtlS = 600;
const users = {};
let server = null;
let turn = null;
const streams = {};

// Interrupted (scripts/test's timeout, ^C): kill what this run started, by PID, then exit.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    const pids = [turn?.pid, server?.pid, users.ann?.chrome?.pid, users.bob?.chrome?.pid];
    for (const pid of pids.filter(Boolean)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    console.log(`FAIL run: interrupted by ${signal}; kept ${dataDir}`);
    process.exit(1);
  });
}

/**
 * Init script: wraps RTCPeerConnection so the test can read every peer connection the page makes
 * (window.__chorusPeerConnections), the configuration the GUI asked for (__chorusPcConfigs), the
 * ICE candidate errors (__chorusCandidateErrors) and connection states (__chorusPcStates).
 * `relay` adds iceTransportPolicy 'relay'; `tamper` changes one character of every TURN
 * credential (so coturn's HMAC check must fail).
 */
function wrapPeerConnections({ relay, tamper }) {
  const Original = window.RTCPeerConnection;
  window.__chorusPeerConnections = [];
  window.__chorusPcConfigs = [];
  window.__chorusCandidateErrors = [];
  window.__chorusPcStates = [];
  const spoil = (credential) =>
    typeof credential === 'string' && credential.length > 0
      ? (credential[0] === 'A' ? 'B' : 'A') + credential.slice(1)
      : credential;
  window.RTCPeerConnection = class extends Original {
    constructor(config = {}, ...rest) {
      const iceServers = (config.iceServers ?? []).map((s) =>
        tamper ? { ...s, credential: spoil(s.credential) } : s,
      );
      const used = { ...config, iceServers };
      if (relay) used.iceTransportPolicy = 'relay';
      super(used, ...rest);
      window.__chorusPcConfigs.push(JSON.parse(JSON.stringify(config)));
      window.__chorusPeerConnections.push(this);
      this.addEventListener('icecandidateerror', (e) => {
        window.__chorusCandidateErrors.push({ code: e.errorCode, text: e.errorText, url: e.url });
      });
      this.addEventListener('connectionstatechange', () => {
        window.__chorusPcStates.push(this.connectionState);
      });
    }
  };
}

/** What the init script recorded on `page`. */
async function recorded(page) {
  return page.evaluate(() => ({
    configs: window.__chorusPcConfigs ?? [],
    errors: window.__chorusCandidateErrors ?? [],
    states: window.__chorusPcStates ?? [],
  }));
}

/** The TURN username and credential the GUI got from the join response (last peer connection). */
async function issuedTurn(page) {
  const { configs } = await recorded(page);
  const servers = configs.at(-1)?.iceServers ?? [];
  const server = servers.find((s) => [s.urls].flat().some((u) => String(u).startsWith('turn:')));
  if (!server)
    throw new Error(`no TURN server in the peer connection config: ${JSON.stringify(configs)}`);
  return server;
}

/** coturn log lines that mention `username`. */
function turnLogFor(username) {
  return turn
    .log()
    .split('\n')
    .filter((line) => line.includes(`user <${username}>`));
}

async function step(name, fn) {
  const ok = await report.check(name, fn);
  if (!ok) {
    for (const [who, u] of Object.entries(users)) {
      if (!u?.page || u.page.isClosed()) continue;
      const p = await selectedPath(u.page).catch(() => null);
      console.log(`  ${who} selected path: ${JSON.stringify(p)}`);
      const r = await recorded(u.page).catch(() => null);
      if (r)
        console.log(
          `  ${who} pc states ${JSON.stringify(r.states)} errors ${JSON.stringify(r.errors)}`,
        );
      const alerts = await u.page
        .getByRole('alert')
        .allTextContents()
        .catch(() => []);
      if (alerts.length) console.log(`  ${who} alerts: ${alerts.join(' | ')}`);
      if (u.page.errors.length) console.log(`  ${who} page errors: ${u.page.errors.join(' | ')}`);
    }
    const ended = server?.exitStatus?.();
    if (ended) console.log(`  chorusd is no longer running (${ended})`);
    const turnEnded = turn?.exitStatus?.();
    if (turnEnded) console.log(`  coturn is no longer running (${turnEnded})`);
  }
  return ok;
}

try {
  const ready = await step('setup: coturn and chorusd in the namespace, three users', async () => {
    turn = await startCoturn({
      dir: path.join(dataDir, 'coturn'),
      ip: kNetnsAnnounceIp,
      secret: turnSecret,
    });
    server = await startChorusd({
      dataDir,
      extraArgs: [
        '--rtc-announce-ip',
        kNetnsAnnounceIp,
        '--demo-stream',
        'false',
        '--turn-urls',
        turn.url,
        '--turn-secret',
        turnSecret,
        '--turn-ttl',
        String(turnTtlS),
      ],
    });
    // Both browsers start at once (most of this test's time on a busy machine).
    await Promise.all(
      [
        ['ann', 440, { relay: true, tamper: false }],
        ['bob', 880, { relay: false, tamper: false }],
      ].map(async ([who, hz, wrap]) => {
        users[who] = await openUser({
          baseUrl: server.baseUrl,
          username: `${who}_${suffix}`,
          password,
          wav: makeToneWav(dataDir, hz, 60),
        });
        await users[who].context.addInitScript(wrapPeerConnections, wrap);
      }),
    );
    // Cy: a context of Bob's browser, relay only, with a spoiled credential.
    users.cy = await openUser({
      baseUrl: server.baseUrl,
      username: `cy_${suffix}`,
      password,
      chrome: users.bob.chrome,
    });
    await users.cy.context.addInitScript(wrapPeerConnections, { relay: true, tamper: true });
    const admin = await openUser({
      baseUrl: server.baseUrl,
      username: kAdminUser,
      password: kAdminPassword,
      chrome: users.ann.chrome,
      login: true,
    });
    for (const [key, title] of [
      ['call', 'turn voice'],
      ['denied', 'turn denied'],
    ]) {
      const created = await apiCall(admin.page, 'POST', '/api/streams', {
        title,
        voice_enabled: true,
      });
      streams[key] = created.id;
    }
    await admin.context.close();
    for (const who of ['ann', 'bob', 'cy']) {
      const me = await apiCall(users[who].page, 'GET', '/api/auth/me');
      users[who].id = me.user?.id ?? me.id;
    }
  });
  if (!ready) throw new Error('setup failed');

  await step('Ann relay-only: Ann and Bob join voice and hear each other', async () => {
    await joinVoice(users.ann.page, streams.call);
    // Without the join response's ice_servers a relay-only peer connection has no candidate.
    await issuedTurn(users.ann.page).catch((error) => {
      throw new Error(`${error.message} (a core/gui/dist older than the TURN support?)`);
    });
    await joinVoice(users.bob.page, streams.call);
    const annHears = await waitHearing(users.ann.page, 880);
    const bobHears = await waitHearing(users.bob.page, 440);
    console.log(`  ann hears ${JSON.stringify(annHears)}; bob hears ${JSON.stringify(bobHears)}`);
  });

  await step("Ann's selected candidate pair is a relay candidate on coturn", async () => {
    const annPath = await waitFor(
      async () => {
        const p = await selectedPath(users.ann.page);
        return p?.state === 'succeeded' && p.bytesReceived > 0 ? p : null;
      },
      { timeoutMs: 10_000, what: "ann's selected candidate pair" },
    );
    console.log(`  ann: ${JSON.stringify(annPath)}`);
    const bobPath = await selectedPath(users.bob.page);
    console.log(`  bob: ${JSON.stringify(bobPath)}`);
    if (annPath.local.type !== 'relay') {
      throw new Error(`ann's local candidate is ${annPath.local.type}, not relay`);
    }
    if (annPath.local.address !== kNetnsAnnounceIp) {
      throw new Error(`ann's relay candidate ${annPath.local.address} is not coturn's relay-ip`);
    }
    if (annPath.remote.address !== kNetnsAnnounceIp || annPath.remote.port !== server.rtcUdpPort) {
      throw new Error(`ann's remote candidate is not the SFU: ${JSON.stringify(annPath.remote)}`);
    }
  });

  await step(
    "the credential is chorusd's '<expiry>:<user id>' and coturn allocated for it",
    async () => {
      const issued = await issuedTurn(users.ann.page);
      const urls = [issued.urls].flat();
      if (!urls.includes(turn.url))
        throw new Error(`urls ${JSON.stringify(urls)} lack ${turn.url}`);
      const match = /^(\d+):(\d+)$/.exec(issued.username ?? '');
      if (!match) throw new Error(`username "${issued.username}" is not <expiry>:<user id>`);
      const [expiry, userId] = [Number(match[1]), Number(match[2])];
      if (userId !== users.ann.id)
        throw new Error(`username's user id ${userId} is not ann's ${users.ann.id}`);
      const nowS = Date.now() / 1000;
      if (Math.abs(expiry - (nowS + turnTtlS)) > 120) {
        throw new Error(`expiry ${expiry} is not about now + ${turnTtlS} s (${Math.round(nowS)})`);
      }
      if (issued.credential !== turnCredential(turnSecret, issued.username)) {
        throw new Error('credential is not base64(HMAC-SHA1(secret, username))');
      }
      const lines = await waitFor(
        async () => {
          const l = turnLogFor(issued.username);
          return l.some((x) => /ALLOCATE processed, success/.test(x)) ? l : null;
        },
        { timeoutMs: 5_000, what: `a successful ALLOCATE by ${issued.username} in coturn's log` },
      );
      const kinds = [
        ...new Set(
          lines.map((x) => /incoming packet (\S+) processed, success/.exec(x)?.[1]).filter(Boolean),
        ),
      ];
      console.log(
        `  coturn, user <${issued.username}>: ${lines.length} lines, successes: ${kinds.join(', ')}`,
      );
      if (!kinds.includes('CREATE_PERMISSION') && !kinds.includes('CHANNEL_BIND')) {
        throw new Error('coturn logged no permission or channel for the SFU');
      }
    },
  );

  await step(
    'negative: Cy (relay only, spoiled credential) gets no relay candidate and no media path',
    async () => {
      await users.cy.page.goto(`/streams/${streams.denied}?tab=voice`);
      const join = users.cy.page.getByRole('button', { name: /Join/ });
      await waitFor(async () => join.isEnabled(), {
        timeoutMs: 15_000,
        what: 'Join button enabled',
      });
      await join.click();
      // The GUI sends its offer once ICE gathering is complete and applies the SFU's answer: from
      // then on a relay-only peer connection with no local candidate can never connect. (Its ICE
      // stays 'new' rather than 'failed', so the GUI's 'Cannot reach the voice server' notice would
      // only come from its 30 s media timer, which chorusd's own 30 s ICE timeout pre-empts; not
      // awaited here.)
      const pc = await waitFor(
        () =>
          users.cy.page.evaluate(async () => {
            const p = (window.__chorusPeerConnections ?? []).at(-1);
            if (!p || p.iceGatheringState !== 'complete' || !p.remoteDescription) return null;
            const stats = await p.getStats();
            const kinds = {};
            stats.forEach((r) => {
              kinds[r.type] = (kinds[r.type] ?? 0) + 1;
            });
            return {
              connection: p.connectionState,
              ice: p.iceConnectionState,
              policy: p.getConfiguration().iceTransportPolicy,
              localCandidates: (p.localDescription?.sdp.match(/^a=candidate:.*$/gm) ?? []).length,
              statsLocalCandidates: kinds['local-candidate'] ?? 0,
              statsPairs: kinds['candidate-pair'] ?? 0,
            };
          }),
        { timeoutMs: 20_000, what: "cy's offer sent and the SFU's answer applied" },
      );
      const r = await recorded(users.cy.page);
      // The panel's signalling phase may say connected; its media state must not.
      const status = users.cy.page.locator('.voice-connection');
      const media = await status.getAttribute('data-media');
      const text = await status.locator('[role="status"]').textContent();
      console.log(
        `  cy: ${JSON.stringify(pc)} media ${media} ("${text}"), candidate errors ` +
          `${JSON.stringify(r.errors[0])} ×${r.errors.length}`,
      );
      if (pc.policy !== 'relay') throw new Error(`cy's policy is ${pc.policy}`);
      if (pc.localCandidates || pc.statsLocalCandidates || pc.statsPairs) {
        throw new Error('cy gathered a candidate with a spoiled credential');
      }
      if (
        pc.connection === 'connected' ||
        r.states.includes('connected') ||
        media === 'connected'
      ) {
        throw new Error('cy connected after all');
      }
      if (!r.errors.some((e) => e.code === 401 && e.url === turn.url)) {
        throw new Error(`no 401 icecandidateerror from ${turn.url}`);
      }
      const issued = await issuedTurn(users.cy.page);
      if (!issued.username.endsWith(`:${users.cy.id}`)) {
        throw new Error(`cy's username ${issued.username} does not end with her id ${users.cy.id}`);
      }
      const rejected = await waitFor(
        async () => {
          const l = turnLogFor(issued.username).filter((x) => /error 401/.test(x));
          return l.length ? l : null;
        },
        { timeoutMs: 5_000, what: `coturn's 401 for ${issued.username} in its log` },
      );
      const lines = turnLogFor(issued.username);
      if (lines.some((x) => /ALLOCATE processed, success/.test(x))) {
        throw new Error(`coturn allocated for cy's spoiled credential: ${lines.join(' / ')}`);
      }
      console.log(`  coturn: ${rejected[0].trim()}`);
    },
  );
} catch (error) {
  if (report.failed === 0) report.fail('run', error);
} finally {
  for (const who of ['ann', 'bob']) await users[who]?.chrome?.close();
  if (server) {
    await server.stop();
    if (report.failed > 0) console.log(`--- chorusd log (tail) ---\n${tailOf(server.logFile)}`);
  }
  if (turn) {
    await turn.stop();
    if (report.failed > 0) console.log(`--- coturn log (tail) ---\n${tailOf(turn.logFile, 40)}`);
  }
  if (report.failed === 0) fs.rmSync(dataDir, { recursive: true, force: true });
  else console.log(`kept ${dataDir} for inspection`);
}
process.exit(report.exitCode);
