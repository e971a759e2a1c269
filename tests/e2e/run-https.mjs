// Browser test of HTTPS and of docs/deploy.md followed end to end (issue 9) inside a private
// network namespace. chorusd is configured as the guide tells an operator: a copy of
// deploy/chorusd.env.example with only the values the guide says to edit (public URL, HTTPS
// option (b) with a certbot-style fullchain.pem/privkey.pem, the announce address, the admin;
// Postgres/Redis URLs blanked: SQLite and in-process state here), read through CHORUS_ENV_FILE
// with the environment deploy/chorusd.service sets and no flags. The guide's `chorusd --check`
// must pass first; then the service answers on https://10.78.0.1 (its chain verifies against the
// root alone, HSTS, /readyz), and two Chromium users (--ignore-certificate-errors) in a secure
// context that is not localhost hear each other's tone through the SFU — Bob with every UDP
// datagram he sends dropped (iptables in this namespace), so his selected candidate pair is TCP
// (ICE-TCP) while Ann's is UDP. Prints PASS/FAIL lines.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium } from './lib/browser.mjs';
import { startChorusd, tailOf } from './lib/chorusd.mjs';
import {
  editEnvExample,
  envValue,
  getVerified,
  guideCheckEnvironment,
  inlineComments,
  kDeployGuide,
  kEnvExample,
  makeCertbotLikePair,
  mapPaths,
  runCheck,
  unitEnvironment,
} from './lib/deploy.mjs';
import { recordPeerConnections, selectedPath, waitSelectedPath } from './lib/ice-stats.mjs';
import { isolateInNetns, kNetnsAnnounceIp } from './lib/netns.mjs';
import { guiDist, makeTempDir } from './lib/paths.mjs';
import { Report } from './lib/report.mjs';
import { blockUdpOfGroup, udpBlockedChromium } from './lib/udp-blocked.mjs';
import { apiCall, joinVoice, makeToneWav, openUser, waitHearing } from './lib/voice.mjs';

await isolateInNetns(import.meta.url, { required: true });

const report = new Report();
const tmp = makeTempDir('chorus-e2e-https');
// The server's directories, as the guide lays them out, under the test's temp dir.
const etcDir = path.join(tmp, 'etc-chorus'); // /etc/chorus
const envFile = path.join(etcDir, 'chorusd.env'); // /etc/chorus/chorusd.env
const stateDir = path.join(tmp, 'var-lib-chorus'); // /var/lib/chorus (StateDirectory=)
const logDir = path.join(tmp, 'var-log-chorus'); // /var/log/chorus (LogsDirectory=)
const kProductionPaths = {
  '/etc/chorus/chorusd.env': envFile,
  '/var/lib/chorus': stateDir,
  '/var/log/chorus': logDir,
  '/opt/chorus/gui': guiDist,
};
const suffix = Date.now().toString(36).slice(-5);
const password = 'https-password-1';
const chromeArgs = ['--ignore-certificate-errors'];
const users = {};
let server = null;
let udpBlock = null;
let pki = null;
let envText = '';
let publicUrl = '';
let mediaPort = 0;
let streamId = null;
let strayChrome = null; // Bob's browser until users.bob holds it

async function step(name, fn) {
  const ok = await report.check(name, fn);
  if (!ok) {
    for (const [who, u] of Object.entries(users)) {
      if (!u?.page || u.page.isClosed()) continue;
      const p = await selectedPath(u.page).catch(() => null);
      console.log(`  ${who} selected path: ${JSON.stringify(p)}`);
      if (u.page.errors.length) console.log(`  ${who} page errors: ${u.page.errors.join(' | ')}`);
    }
    const ended = server?.exitStatus?.();
    if (ended) console.log(`  chorusd is no longer running (${ended})`);
  }
  return ok;
}

/** chorusd's /metrics as { name: value } (chorus_sfu_* only). */
async function sfuMetrics() {
  const { body } = await getVerified(`${publicUrl}/metrics`, pki.rootPem);
  const values = {};
  for (const line of body.split('\n')) {
    const match = /^(chorus_sfu_\w+)\s+([0-9.e+-]+)$/.exec(line);
    if (match) values[match[1]] = Number(match[2]);
  }
  return values;
}

try {
  const configured = await step(
    "deploy: chorusd.env = deploy/chorusd.env.example with only the guide's edits (HTTPS (b))",
    async () => {
      const example = fs.readFileSync(kEnvExample, 'utf8');
      // chorusd's env-file reader (and systemd's) keeps "# …" after a value as part of it.
      const commented = [
        ...inlineComments(example),
        ...inlineComments(fs.readFileSync(kDeployGuide, 'utf8')),
      ];
      if (commented.length) throw new Error(`inline comments in env lines: ${commented}`);
      // certbot's fullchain.pem/privkey.pem, copied where the chorus group reads them (the
      // guide's deploy hook): /etc/chorus/tls.
      pki = makeCertbotLikePair(path.join(etcDir, 'tls'), kNetnsAnnounceIp);
      envText = editEnvExample(example, [
        { set: 'CHORUS_PUBLIC_URL', value: `https://${kNetnsAnnounceIp}` },
        // HTTPS: (a) off, (b) on, with the example's own listen address (0.0.0.0:443: this
        // namespace is the test's own, and the test runs as root like CAP_NET_BIND_SERVICE).
        { disable: 'CHORUS_LISTEN' },
        { disable: 'CHORUS_TRUSTED_PROXIES' },
        { enable: 'CHORUS_LISTEN' },
        { enable: 'CHORUS_TLS_CERT', value: pki.fullchain },
        { enable: 'CHORUS_TLS_KEY', value: pki.privkey },
        { set: 'CHORUS_RTC_ANNOUNCE_IP', value: kNetnsAnnounceIp },
        {
          set: 'CHORUS_DATABASE_URL',
          value: '',
          note: 'e2e: blanked (no Postgres in this test): SQLite in the data dir',
        },
        {
          set: 'CHORUS_REDIS_URL',
          value: '',
          note: 'e2e: blanked (no Redis in this test): in-process state',
        },
        {
          set: 'CHORUS_BOOTSTRAP_ADMIN',
          value: `admin:${crypto.randomBytes(12).toString('base64url')}`,
        },
      ]);
      fs.mkdirSync(etcDir, { recursive: true });
      fs.writeFileSync(envFile, envText, { mode: 0o640 });
      const listen = envValue(envText, 'CHORUS_LISTEN');
      const port = Number(listen.split(':').at(-1));
      publicUrl = `https://${kNetnsAnnounceIp}${port === 443 ? '' : `:${port}`}`;
      if (envValue(envText, 'CHORUS_PUBLIC_URL') !== publicUrl) {
        throw new Error(`CHORUS_LISTEN=${listen} does not serve ${publicUrl}`);
      }
      mediaPort = Number(envValue(envText, 'CHORUS_RTC_UDP_PORT'));
      console.log(`  ${envFile}: listen ${listen}, media port ${mediaPort}, public ${publicUrl}`);
    },
  );
  if (!configured) throw new Error('no env file');

  const checked = await step(
    "deploy: the guide's chorusd --check (the unit's environment) exits 0, announces " +
      `${kNetnsAnnounceIp}, configuration ok`,
    async () => {
      const guide = guideCheckEnvironment();
      const unit = unitEnvironment();
      const sorted = (env) => JSON.stringify(Object.entries(env).sort());
      if (sorted(guide.env) !== sorted(unit)) {
        throw new Error(
          `the guide's --check command (${guide.command}) does not have the environment of ` +
            `deploy/chorusd.service (${JSON.stringify(unit)})`,
        );
      }
      fs.mkdirSync(stateDir, { recursive: true }); // StateDirectory= and LogsDirectory=
      fs.mkdirSync(logDir, { recursive: true });
      const { code, stdout, stderr } = await runCheck(mapPaths(guide.env, kProductionPaths), tmp);
      console.log(stdout.trimEnd().replace(/^/gm, '  | '));
      if (code !== 0) throw new Error(`chorusd --check exited ${code}: ${stderr}`);
      const expect = (what, re) => {
        if (!re.test(stdout)) throw new Error(`--check does not print ${what}`);
      };
      const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      const ip = esc(kNetnsAnnounceIp);
      expect('the announce address', new RegExp(`^\\s*media announced\\s+${ip} `, 'm'));
      expect('"configuration ok"', /^configuration ok$/m);
      expect('HTTPS on the listen address', /^\s*http listen\s+0\.0\.0\.0:443 \(HTTPS and WSS\)$/m);
      expect(
        'the certificate and its fingerprint',
        new RegExp(`tls certificate\\s+${esc(pki.fullchain)} \\(sha-256 ${pki.leafSha256}\\)`),
      );
      expect('ICE-TCP on the media port', new RegExp(`media tcp\\s+\\S+:${mediaPort} \\(ICE-TCP`));
      expect('SQLite in the data dir', new RegExp(`database\\s+sqlite:${esc(stateDir)}/chorus.db`));
      if (/^(WARNING|ERROR)/m.test(stdout)) throw new Error('--check warns');
    },
  );
  if (!checked) throw new Error('chorusd --check failed');

  const ready = await step(
    `setup: the service on ${kNetnsAnnounceIp} checked from outside, two users (bob's UDP dropped)`,
    async () => {
      server = await startChorusd({
        dataDir: stateDir,
        service: {
          env: { PATH: process.env.PATH, ...mapPaths(unitEnvironment(), kProductionPaths) },
          baseUrl: publicUrl,
          rtcUdpPort: mediaPort,
          logDir,
        },
      });
      // The guide's "Check it from outside" (curl), verifying the chain against the root only:
      // the server must send the intermediate of fullchain.pem.
      const health = await getVerified(`${publicUrl}/healthz`, pki.rootPem);
      if (health.status !== 200) throw new Error(`/healthz → ${health.status}`);
      if (!health.headers['strict-transport-security']) throw new Error('/healthz has no HSTS');
      const readyz = JSON.parse((await getVerified(`${publicUrl}/readyz`, pki.rootPem)).body);
      if (readyz.database !== 'ok' || readyz.state !== 'ok') {
        throw new Error(`/readyz: ${JSON.stringify(readyz)}`);
      }
      udpBlock = blockUdpOfGroup();
      // Bob's Chromium runs in the group whose UDP is dropped; both browsers start at once.
      const bobChrome = launchChromium({
        fakeAudioFile: makeToneWav(tmp, 880, 20),
        extraArgs: chromeArgs,
        executablePath: udpBlockedChromium(tmp),
      }).then((chrome) => (strayChrome = chrome));
      await Promise.all(
        [
          ['ann', { wav: makeToneWav(tmp, 440, 20), chromeArgs }],
          ['bob', { chrome: bobChrome }],
        ].map(async ([who, browser]) => {
          users[who] = await openUser({
            baseUrl: publicUrl,
            username: `${who}_${suffix}`,
            password,
            ...browser,
            chrome: await browser.chrome,
          });
          if (who === 'bob') strayChrome = null;
          await users[who].context.addInitScript(recordPeerConnections);
        }),
      );
      const [adminUser, adminPassword] = envValue(envText, 'CHORUS_BOOTSTRAP_ADMIN').split(/:(.*)/);
      const admin = await openUser({
        baseUrl: publicUrl,
        username: adminUser,
        password: adminPassword,
        chrome: users.ann.chrome,
        login: true,
      });
      const created = await apiCall(admin.page, 'POST', '/api/streams', {
        title: 'https voice',
        voice_enabled: true,
      });
      streamId = created.id;
      await admin.context.close();
    },
  );
  if (!ready) throw new Error('setup failed');

  await step('the page is a secure context on a non-loopback https origin', async () => {
    for (const who of ['ann', 'bob']) {
      const page = users[who].page;
      const { secure, origin } = await page.evaluate(() => ({
        secure: window.isSecureContext,
        origin: window.location.origin,
      }));
      if (secure !== true) throw new Error(`${who}: window.isSecureContext is ${secure}`);
      if (origin !== publicUrl) throw new Error(`${who}: origin ${origin}`);
    }
  });

  await step('two users join voice over wss and hear each other', async () => {
    await joinVoice(users.ann.page, streamId);
    await joinVoice(users.bob.page, streamId);
    const annHears = await waitHearing(users.ann.page, 880);
    const bobHears = await waitHearing(users.bob.page, 440);
    console.log(`  ann hears ${JSON.stringify(annHears)}; bob hears ${JSON.stringify(bobHears)}`);
  });

  await step("bob (UDP dropped) is on ICE-TCP, ann on UDP (getStats' selected pairs)", async () => {
    for (const [who, protocol] of [
      ['ann', 'udp'],
      ['bob', 'tcp'],
    ]) {
      const p = await waitSelectedPath(users[who].page, { what: `${who}'s selected pair` });
      console.log(`  ${who}: ${JSON.stringify(p)}`);
      if (p.local.protocol !== protocol || p.remote.protocol !== protocol) {
        throw new Error(`${who}'s selected pair is not ${protocol}: ${JSON.stringify(p)}`);
      }
      if (p.remote.address !== kNetnsAnnounceIp || p.remote.port !== mediaPort) {
        throw new Error(
          `${who}'s remote candidate is not the SFU's ${kNetnsAnnounceIp}:${mediaPort}`,
        );
      }
      if (protocol === 'tcp' && p.remote.tcpType && p.remote.tcpType !== 'passive') {
        throw new Error(`${who}'s remote candidate is tcptype ${p.remote.tcpType}`);
      }
    }
    const dropped = udpBlock.droppedPackets();
    const m = await sfuMetrics();
    console.log(
      `  bob's UDP datagrams dropped=${dropped}; sfu tcp_connections=${m.chorus_sfu_tcp_connections}` +
        ` tcp_frames_in=${m.chorus_sfu_tcp_frames_in_total} udp packets_in=${m.chorus_sfu_packets_in_total}`,
    );
    if (!(dropped > 0)) throw new Error('bob sent no UDP datagram: the block proved nothing');
    if (!(m.chorus_sfu_tcp_connections >= 1)) throw new Error('no ICE-TCP connection open');
    if (!(m.chorus_sfu_tcp_frames_in_total > 100)) throw new Error('few frames in over TCP');
    if (!(m.chorus_sfu_packets_in_total > 100)) throw new Error('few UDP datagrams in');
  });
} catch (error) {
  if (report.failed === 0) report.fail('run', error);
} finally {
  for (const who of ['ann', 'bob']) await users[who]?.chrome.close();
  await strayChrome?.close();
  if (server) {
    await server.stop();
    if (report.failed > 0) console.log(`--- chorusd log (tail) ---\n${tailOf(server.logFile)}`);
  }
  try {
    udpBlock?.remove();
  } catch (error) {
    report.fail('cleanup: the UDP drop rule', error);
  }
  if (report.failed === 0) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`kept ${tmp} for inspection`);
}
process.exit(report.exitCode);
