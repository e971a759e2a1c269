// Browser test of HTTPS (issue 9, item 1): chorusd serves HTTPS itself with its self-signed
// development certificate (--tls-self-signed) on the namespace's 10.78.0.1, not loopback; two
// Chromium users (--ignore-certificate-errors) open https://10.78.0.1:<port>, the page is a
// secure context, and each hears the other's tone through the SFU. Prints PASS/FAIL lines.
import fs from 'node:fs';
import { startChorusd, tailOf, kAdminUser, kAdminPassword } from './lib/chorusd.mjs';
import { isolateInNetns, kNetnsAnnounceIp } from './lib/netns.mjs';
import { makeTempDir } from './lib/paths.mjs';
import { Report } from './lib/report.mjs';
import { apiCall, joinVoice, makeToneWav, openUser, waitHearing } from './lib/voice.mjs';
import { freePort } from './lib/wait.mjs';

await isolateInNetns(import.meta.url, { required: true });

const report = new Report();
const dataDir = makeTempDir('chorus-e2e-https');
const suffix = Date.now().toString(36).slice(-5);
const password = 'https-password-1';
const chromeArgs = ['--ignore-certificate-errors'];
let server = null;
const users = {};

try {
  const ready = await report.check(
    'setup: chorusd on https://10.78.0.1 and two users',
    async () => {
      const port = await freePort();
      const publicUrl = `https://${kNetnsAnnounceIp}:${port}`;
      server = await startChorusd({
        dataDir,
        port,
        host: kNetnsAnnounceIp,
        tls: true,
        extraArgs: [
          '--tls-self-signed',
          '--public-url',
          publicUrl,
          '--rtc-announce-ip',
          kNetnsAnnounceIp,
          '--demo-stream',
          'false',
        ],
      });
      if (!fs.existsSync(`${dataDir}/tls/cert.pem`))
        throw new Error('no certificate in the data dir');
      for (const [who, hz] of [
        ['ann', 440],
        ['bob', 880],
      ]) {
        users[who] = await openUser({
          baseUrl: server.baseUrl,
          username: `${who}_${suffix}`,
          password,
          wav: makeToneWav(dataDir, hz, 20),
          chromeArgs,
        });
      }
      const admin = await openUser({
        baseUrl: server.baseUrl,
        username: kAdminUser,
        password: kAdminPassword,
        chrome: users.ann.chrome,
        login: true,
      });
      const created = await apiCall(admin.page, 'POST', '/api/streams', {
        title: 'https voice',
        voice_enabled: true,
      });
      users.streamId = created.id;
      await admin.context.close();
    },
  );
  if (!ready) throw new Error('setup failed');

  await report.check('the page is a secure context on a non-loopback https origin', async () => {
    for (const who of ['ann', 'bob']) {
      const page = users[who].page;
      const { secure, origin } = await page.evaluate(() => ({
        secure: window.isSecureContext,
        origin: window.location.origin,
      }));
      if (secure !== true) throw new Error(`${who}: window.isSecureContext is ${secure}`);
      if (origin !== server.baseUrl) throw new Error(`${who}: origin ${origin}`);
    }
  });

  await report.check('two users join voice over wss and hear each other', async () => {
    await joinVoice(users.ann.page, users.streamId);
    await joinVoice(users.bob.page, users.streamId);
    const annHears = await waitHearing(users.ann.page, 880);
    const bobHears = await waitHearing(users.bob.page, 440);
    console.log(`  ann hears ${JSON.stringify(annHears)}; bob hears ${JSON.stringify(bobHears)}`);
  });
} catch (error) {
  if (report.failed === 0) report.fail('run', error);
} finally {
  for (const who of ['ann', 'bob']) await users[who]?.chrome.close();
  if (server) {
    await server.stop();
    if (report.failed > 0) console.log(`--- chorusd log (tail) ---\n${tailOf(server.logFile)}`);
  }
  if (report.failed === 0) fs.rmSync(dataDir, { recursive: true, force: true });
  else console.log(`kept ${dataDir} for inspection`);
}
process.exit(report.exitCode);
