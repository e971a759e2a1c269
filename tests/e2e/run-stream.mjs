// Browser test of the foundation (issue 2): register, sign out, sign in, open the demo stream
// and see the player advance. Prints PASS/FAIL lines; exits non-zero on any failure.
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium } from './lib/browser.mjs';
import { makeDemoMedia, startChorusd, tailOf } from './lib/chorusd.mjs';
import { isolateInNetns } from './lib/netns.mjs';
import { makeTempDir, outDir } from './lib/paths.mjs';
import { Report } from './lib/report.mjs';

const kDemoHlsUrl = '/media/demo/index.m3u8';
const kUiTimeoutMs = 15_000;
const kPlaybackTimeoutMs = 30_000;
const kMinAdvanceSeconds = 1.5;

await isolateInNetns(import.meta.url);

const report = new Report();
const dataDir = makeTempDir('chorus-e2e-stream');
let server = null;
let chrome = null;
const username = `e2e_${Date.now().toString(36)}`;
const password = 'e2e-password-1';

try {
  const ready = await report.check('setup', async () => {
    await makeDemoMedia(dataDir);
    server = await startChorusd({ dataDir });
    chrome = await launchChromium();
  });
  if (!ready) throw new Error('setup failed');

  const context = await chrome.browser.newContext({ baseURL: server.baseUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(kUiTimeoutMs);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  const steps = [
    [
      'redirect-to-login',
      async () => {
        await page.goto('/');
        await page.waitForURL(/\/login\?next=/);
        await page.getByRole('heading', { name: 'Sign in to Chorus' }).waitFor();
      },
    ],
    [
      'register',
      async () => {
        await page.getByRole('link', { name: 'Create an account' }).click();
        await page.getByLabel('Username').fill(username);
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Create account' }).click();
        await page.getByTestId('signed-in-user').getByText(username).waitFor();
      },
    ],
    [
      'settings-modal',
      async () => {
        const opener = page.getByRole('button', { name: 'Settings' });
        await opener.click();
        const dialog = page.getByRole('dialog', { name: 'Settings' });
        await dialog.getByRole('tab', { name: 'Account' }).waitFor();
        await dialog.getByText(username).waitFor();
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        if (!(await opener.evaluate((el) => el === document.activeElement))) {
          throw new Error('focus did not return to the Settings button after Escape');
        }
      },
    ],
    [
      'logout',
      async () => {
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('heading', { name: 'Sign in to Chorus' }).waitFor();
        const me = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
        if (me !== 401) throw new Error(`GET /api/auth/me after sign-out returned ${me}, not 401`);
      },
    ],
    [
      'login',
      async () => {
        await page.getByLabel('Username').fill(username);
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Streams' }).waitFor();
        await page.getByTestId('signed-in-user').getByText(username).waitFor();
      },
    ],
    [
      'open-demo-stream',
      async () => {
        const streams = await page.evaluate(async () => (await fetch('/api/streams')).json());
        const demo = streams.streams?.find((s) => s.hls_url === kDemoHlsUrl);
        if (!demo) throw new Error(`no stream with hls_url ${kDemoHlsUrl} in GET /api/streams`);
        await page
          .getByRole('link', { name: new RegExp(escapeRegExp(demo.title)) })
          .first()
          .click();
        await page.waitForURL(new RegExp(`/streams/${demo.id}`));
        await page.getByRole('heading', { name: demo.title }).waitFor();
        await page.getByRole('tab', { name: 'Info' }).waitFor();
      },
    ],
    [
      'player-advances',
      async () => {
        const video = page.locator('video');
        await video.waitFor();
        const deadline = Date.now() + kPlaybackTimeoutMs;
        // Resolves with the playing position, or fails fast when the player reports an error.
        const playing = await page.waitForFunction(
          () => {
            const failure = document.querySelector('.player [role="alert"]');
            if (failure) return { error: failure.textContent };
            const v = document.querySelector('video');
            return v === null || v.paused || v.currentTime <= 0 ? null : { at: v.currentTime };
          },
          null,
          { timeout: kPlaybackTimeoutMs },
        );
        const first = await playing.jsonValue();
        if (first.error) throw new Error(`player error: ${first.error}`);
        const advanced = await page.waitForFunction(
          ([from, by]) => {
            const failure = document.querySelector('.player [role="alert"]');
            if (failure) return { error: failure.textContent };
            const v = document.querySelector('video');
            if (v === null) return null;
            // The demo loops: a position well before the start point means it played through.
            const looped = v.currentTime < from - 0.5;
            return v.currentTime >= from + by || looped ? { at: v.currentTime, looped } : null;
          },
          [first.at, kMinAdvanceSeconds],
          { timeout: Math.max(1_000, deadline - Date.now()) },
        );
        const second = await advanced.jsonValue();
        if (second.error) throw new Error(`player error: ${second.error}`);
        fs.mkdirSync(outDir, { recursive: true });
        await page.screenshot({ path: path.join(outDir, 'stream-page.png') });
      },
    ],
  ];
  for (const [name, step] of steps) {
    if (!(await report.check(name, step))) {
      const alerts = await page
        .getByRole('alert')
        .allTextContents()
        .catch(() => []);
      if (alerts.length) console.log(`  page alerts: ${alerts.join(' | ')}`);
      if (pageErrors.length) console.log(`  page errors: ${pageErrors.join(' | ')}`);
      console.log(`  at ${page.url()}`);
      const ended = server.exitStatus();
      if (ended) console.log(`  chorusd is no longer running (${ended})`);
      break;
    }
  }
} catch (error) {
  if (report.failed === 0) report.fail('run', error);
} finally {
  if (chrome) await chrome.close();
  if (server) {
    await server.stop();
    if (report.failed > 0) console.log(`--- chorusd log (tail) ---\n${tailOf(server.logFile)}`);
  }
  if (report.failed === 0) fs.rmSync(dataDir, { recursive: true, force: true });
  else console.log(`kept ${dataDir} for inspection`);
}
process.exit(report.exitCode);

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
