// Browser tests of the voice GUI (issue 5) against a real chorusd, inside a private network
// namespace: (a) two users hear each other's tone and see each other speaking, (d) a mute shows
// and silences, screenshots with three participants, (b) a denied microphone joins listen-only,
// (c) settings persist across reload and reach a second context live, (e) a chorusd restart shows
// the reconnect banner and the call recovers by itself; signing out leaves voice. Prints PASS/FAIL
// lines.
import fs from 'node:fs';
import path from 'node:path';
import { makeDemoMedia, startChorusd, tailOf, kAdminUser, kAdminPassword } from './lib/chorusd.mjs';
import { isolateInNetns, kNetnsAnnounceIp } from './lib/netns.mjs';
import { makeTempDir, outDir, repoRoot } from './lib/paths.mjs';
import { Report } from './lib/report.mjs';
import {
  apiCall,
  joinVoice,
  makeToneWav,
  measureRemoteAudio,
  openUser,
  participants,
  waitConnected,
  waitHearing,
  waitNotHearing,
} from './lib/voice.mjs';
import { waitFor } from './lib/wait.mjs';

await isolateInNetns(import.meta.url, { required: true });

const report = new Report();
const dataDir = makeTempDir('chorus-e2e-voice');
const screenshotDir = path.join(repoRoot, 'docs', 'screenshots');
const suffix = Date.now().toString(36).slice(-5);
const password = 'voice-password-1';
const names = {
  ann: `ann_${suffix}`,
  bob: `bob_${suffix}`,
  cy: `cy_${suffix}`,
  dee: `dee_${suffix}`,
};
let server = null;
const users = {};
let streamId = null;

const serverArgs = ['--rtc-announce-ip', kNetnsAnnounceIp];

/** Runs a check; on failure prints page alerts and errors of every open user. */
async function step(name, fn) {
  const ok = await report.check(name, fn);
  if (!ok) {
    for (const [who, u] of Object.entries(users)) {
      if (!u?.page || u.page.isClosed()) continue;
      const alerts = await u.page
        .getByRole('alert')
        .allTextContents()
        .catch(() => []);
      if (alerts.length) console.log(`  ${who} alerts: ${alerts.join(' | ')}`);
      if (u.page.errors.length) console.log(`  ${who} page errors: ${u.page.errors.join(' | ')}`);
    }
    const ended = server?.exitStatus?.();
    if (ended) console.log(`  chorusd is no longer running (${ended})`);
  }
  return ok;
}

try {
  const ready = await step('setup', async () => {
    await makeDemoMedia(dataDir);
    server = await startChorusd({ dataDir, extraArgs: serverArgs });
    const wavs = {
      ann: makeToneWav(dataDir, 440),
      bob: makeToneWav(dataDir, 880),
      cy: makeToneWav(dataDir, 0),
    };
    users.ann = await openUser({
      baseUrl: server.baseUrl,
      username: names.ann,
      password,
      wav: wavs.ann,
    });
    users.bob = await openUser({
      baseUrl: server.baseUrl,
      username: names.bob,
      password,
      wav: wavs.bob,
    });
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
    users.cyWav = wavs.cy;
  });
  if (!ready) throw new Error('setup failed');

  const { ann, bob } = users;
  await step('a: two users join and hear each other', async () => {
    await joinVoice(ann.page, streamId);
    await joinVoice(bob.page, streamId);
    const annHears = await waitHearing(ann.page, 880);
    const bobHears = await waitHearing(bob.page, 440);
    console.log(`  ann hears ${JSON.stringify(annHears)}; bob hears ${JSON.stringify(bobHears)}`);
  });

  await step('a: both lists show both users, with the speaking indicator', async () => {
    for (const [who, u] of [
      ['ann', ann],
      ['bob', bob],
    ]) {
      const other = who === 'ann' ? names.bob : names.ann;
      await waitFor(
        async () => {
          const list = await participants(u.page);
          const names2 = list.map((p) => p.username);
          return (
            names2.includes(names.ann) &&
            names2.includes(names.bob) &&
            list.find((p) => p.username === other)?.speaking
          );
        },
        { timeoutMs: 15_000, what: `${who}'s list with both users and ${other} speaking` },
      ).catch(async (error) => {
        throw new Error(`${error.message}; list ${JSON.stringify(await participants(u.page))}`);
      });
      const count = await u.page.getByTestId('voice-count').textContent();
      if (!/2 people in voice/.test(count)) throw new Error(`${who} count says "${count}"`);
      await u.page.locator('.player__hud').getByText('Connected').waitFor();
    }
  });

  await step('per-participant volume follows the slot that carries that user', async () => {
    const slider = ann.page.getByLabel(`Volume for ${names.bob}`);
    await slider.fill('0');
    let last = [];
    await waitFor(
      async () => {
        last = await measureRemoteAudio(ann.page, 400);
        const bobSlot = last.find((s) => s.rms > 0.01 && Math.abs((s.peakHz ?? 0) - 880) <= 25);
        return bobSlot && bobSlot.volume === 0;
      },
      { timeoutMs: 10_000, what: "the slot carrying bob's 880 Hz at volume 0" },
    ).catch((error) => {
      throw new Error(`${error.message}; slots ${JSON.stringify(last)}`);
    });
    await slider.fill('100');
  });

  await step('d: mute shows as muted to the other user and the audio stops', async () => {
    await bob.page.getByRole('button', { name: 'Mute', exact: true }).click();
    const panel = bob.page.getByRole('region', { name: 'Voice chat' });
    await panel.locator('.voice-chips').getByText('Muted', { exact: true }).waitFor();
    await bob.page.locator('.player__hud').getByText('Muted', { exact: true }).waitFor();
    await waitFor(
      async () =>
        (await participants(ann.page)).find((p) => p.username === names.bob)?.muted === 'self',
      { timeoutMs: 10_000, what: `${names.bob} marked muted on ann's list` },
    );
    await ann.page.locator(`[data-username="${names.bob}"]`).getByText('Muted').waitFor();
    await waitNotHearing(ann.page, 880);
    await waitHearing(bob.page, 440); // ann is still heard
  });

  await step('screenshot: three participants, one speaking', async () => {
    users.cy = await openUser({
      baseUrl: server.baseUrl,
      username: names.cy,
      password,
      wav: users.cyWav,
    });
    await joinVoice(users.cy.page, streamId);
    await waitFor(
      async () => {
        const list = await participants(ann.page);
        return list.length === 3 && list.filter((p) => p.speaking).length === 1;
      },
      { timeoutMs: 15_000, what: "ann's list with three participants and one speaking" },
    ).catch(async (error) => {
      throw new Error(`${error.message}; list ${JSON.stringify(await participants(ann.page))}`);
    });
    fs.mkdirSync(screenshotDir, { recursive: true });
    // Top of the page in a tall viewport: a full-page capture would repeat the sticky header.
    await ann.page.setViewportSize({ width: 1100, height: 1200 });
    await ann.page.evaluate(() => window.scrollTo(0, 0));
    await ann.page.screenshot({ path: path.join(screenshotDir, 'voice-tab-joined.png') });
    await ann.page.setViewportSize({ width: 1100, height: 900 });
  });

  await step('b: microphone denied → clear message, listen-only join works', async () => {
    users.dee = await openUser({
      baseUrl: server.baseUrl,
      username: names.dee,
      password,
      wav: users.cyWav,
      allowMic: false,
    });
    const { page } = users.dee;
    await joinVoice(page, streamId);
    const notice = page.getByTestId('mic-notice');
    await notice.waitFor();
    const text = await notice.textContent();
    if (
      (await notice.getAttribute('data-mic')) !== 'denied' ||
      !/blocked/.test(text) ||
      !/listening only/.test(text)
    ) {
      throw new Error(`mic notice says "${text}"`);
    }
    await waitHearing(page, 440);
    const list = await participants(page);
    if (!list.some((p) => p.username === names.dee))
      throw new Error(`dee not in own list ${JSON.stringify(list)}`);
    await page.getByRole('button', { name: 'Leave voice' }).click();
    await page.getByRole('button', { name: /Join/ }).waitFor();
  });

  await step('c: settings persist across reload and apply live in a second context', async () => {
    const second = await openUser({
      baseUrl: server.baseUrl,
      username: names.ann,
      password,
      chrome: ann.chrome,
      login: true,
    });
    users.ann2 = second;
    await second.page.goto(`/streams/${streamId}?tab=voice`);
    await second.page.getByTestId('voice-count').waitFor();
    await second.page.getByRole('button', { name: 'Settings' }).click();
    const modal2 = second.page.getByRole('dialog', { name: 'Settings' });
    await modal2.getByRole('tab', { name: 'Voice' }).click();
    const volume2 = modal2.getByLabel('Output volume');
    await volume2.waitFor();
    if ((await volume2.inputValue()) !== '100')
      throw new Error(`second context starts at ${await volume2.inputValue()}`);

    await ann.page.getByRole('button', { name: 'Voice settings' }).click();
    const modal = ann.page.getByRole('dialog', { name: 'Settings' });
    await modal.getByLabel('Output volume').fill('50');
    await modal.getByLabel('Noise suppression').uncheck();
    // Applied live in the call: slot volume is output volume × per-user volume.
    await waitFor(
      async () =>
        (await measureRemoteAudio(ann.page, 200)).every((s) => Math.abs(s.volume - 0.5) < 0.01),
      {
        timeoutMs: 5_000,
        what: 'remote audio volume 0.5 after output volume 50%',
      },
    );
    // The second context's open modal follows through settings_updated.
    await waitFor(
      async () =>
        (await volume2.inputValue()) === '50' &&
        !(await modal2.getByLabel('Noise suppression').isChecked()),
      {
        timeoutMs: 10_000,
        what: 'second context modal showing output volume 50 and noise suppression off',
      },
    );
    await ann.page.screenshot({ path: path.join(screenshotDir, 'settings-voice.png') });
    await ann.page.keyboard.press('Escape');
    await ann.page.reload();
    await ann.page.getByRole('button', { name: 'Settings' }).click();
    await modal.getByRole('tab', { name: 'Voice' }).click();
    await waitFor(async () => (await modal.getByLabel('Output volume').inputValue()) === '50', {
      timeoutMs: 10_000,
      what: 'output volume 50 after reload',
    });
    if (await modal.getByLabel('Noise suppression').isChecked())
      throw new Error('noise suppression back on after reload');
    await ann.page.keyboard.press('Escape');
    await second.context.close();
    delete users.ann2;
  });

  await step(
    'e: chorusd restart → reconnect banner, then recovery without user action',
    async () => {
      const port = server.port;
      const udp = server.rtcUdpPort;
      await waitConnected(bob.page);
      await bob.page.getByRole('button', { name: 'Unmute', exact: true }).click();
      await waitHearing(users.cy.page, 880);
      await server.stop();
      await bob.page.getByTestId('voice-reconnect-banner').waitFor({ timeout: 15_000 });
      await users.cy.page.getByTestId('voice-reconnect-banner').waitFor({ timeout: 15_000 });
      server = await startChorusd({ dataDir, port, rtcUdpPort: udp, extraArgs: serverArgs });
      await waitConnected(bob.page, 45_000);
      await waitConnected(users.cy.page, 45_000);
      await bob.page.getByTestId('voice-reconnect-banner').waitFor({ state: 'detached' });
      await waitHearing(users.cy.page, 880, 30_000);
    },
  );

  await step('sign-out leaves voice first', async () => {
    await bob.page.getByRole('button', { name: 'Sign out' }).click();
    await bob.page.getByRole('heading', { name: 'Sign in to Chorus' }).waitFor();
    await waitFor(
      async () => !(await participants(users.cy.page)).some((p) => p.username === names.bob),
      { timeoutMs: 10_000, what: `${names.bob} gone from cy's list after signing out` },
    );
    const roster = await apiCall(users.cy.page, 'GET', `/api/voice/streams/${streamId}/roster`);
    const list = Array.isArray(roster) ? roster : roster.roster;
    if (list.some((m) => m.username === names.bob)) {
      throw new Error(`GET roster still lists ${names.bob}: ${JSON.stringify(list)}`);
    }
  });
} catch (error) {
  if (report.failed === 0) report.fail('run', error);
} finally {
  for (const u of Object.values(users)) {
    if (u?.chrome && !u.chromeClosed) {
      u.chromeClosed = true;
      // Users sharing one Chromium (second contexts) are closed with their owner.
      if (Object.values(users).find((o) => o?.chrome === u.chrome) === u) await u.chrome.close();
    }
  }
  if (server) {
    await server.stop();
    if (report.failed > 0) console.log(`--- chorusd log (tail) ---\n${tailOf(server.logFile)}`);
  }
  if (report.failed === 0) fs.rmSync(dataDir, { recursive: true, force: true });
  else console.log(`kept ${dataDir} for inspection`);
  fs.mkdirSync(outDir, { recursive: true });
}
process.exit(report.exitCode);
