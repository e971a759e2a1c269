// Browser test of the stage (issue 10) against a real chorusd, inside a private network
// namespace: the host turns stage on in Room controls, a member raises a hand, the host approves
// it, the member unmutes and a third user hears them — and does not hear them while they are
// still in the audience. Three Chromium users with tone microphones: hal the host (440 Hz), ann
// the member (880 Hz), cy the listener (silence). Prints PASS/FAIL lines; screenshots of the
// host's and the listener's Voice tab go to tests/e2e/out/. Last, slow mode: the Unmute button
// counts down after an unmute.
import fs from 'node:fs';
import path from 'node:path';
import { makeDemoMedia, startChorusd, tailOf, kAdminUser, kAdminPassword } from './lib/chorusd.mjs';
import { isolateInNetns, kNetnsAnnounceIp } from './lib/netns.mjs';
import { makeTempDir, outDir } from './lib/paths.mjs';
import { Report } from './lib/report.mjs';
import {
  apiCall,
  joinVoice,
  makeToneWav,
  measureRemoteAudio,
  openUser,
  waitHearing,
  waitNotHearing,
} from './lib/voice.mjs';
import { waitFor } from './lib/wait.mjs';

await isolateInNetns(import.meta.url, { required: true });

const report = new Report();
const dataDir = makeTempDir('chorus-e2e-stage');
const suffix = Date.now().toString(36).slice(-5);
const password = 'stage-password-1';
const names = { hal: `hal_${suffix}`, ann: `ann_${suffix}`, cy: `cy_${suffix}` };
const kHostHz = 440;
const kMemberHz = 880;
const kSlowSeconds = 20;
let server = null;
const users = {};
let streamId = null;

/** Runs a check; on failure prints page alerts, announcements and errors of every open user. */
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
      const said = await u.page
        .getByTestId('stage-announcement')
        .textContent()
        .catch(() => '');
      if (said) console.log(`  ${who} announcement: ${said}`);
      if (u.page.errors.length) console.log(`  ${who} page errors: ${u.page.errors.join(' | ')}`);
    }
    const ended = server?.exitStatus?.();
    if (ended) console.log(`  chorusd is no longer running (${ended})`);
  }
  return ok;
}

/** Returns the usernames in the page's participant list section `label` (Speakers, Audience). */
async function section(page, label) {
  return page
    .getByRole('list', { name: label, exact: true })
    .locator('[data-testid="voice-participant"]')
    .evaluateAll((rows) => rows.map((r) => r.dataset.username))
    .catch(() => []);
}

/** Waits until `page` lists `username` under `label`. */
async function waitInSection(page, label, username, timeoutMs = 15_000) {
  await waitFor(async () => (await section(page, label)).includes(username), {
    timeoutMs,
    what: `${username} under "${label}"`,
  });
}

/** Fails when any remote slot of `page` carries `hz` during a `ms` long measurement. */
async function assertNotHearing(page, hz, ms = 3_000) {
  const slots = await measureRemoteAudio(page, ms);
  const heard = slots.find(
    (s) => s.rms > 0.01 && s.peakHz !== null && Math.abs(s.peakHz - hz) <= 25,
  );
  if (heard) throw new Error(`heard ${hz} Hz: ${JSON.stringify(slots)}`);
}

try {
  const ready = await step('setup: three users, hal made the host of the demo stream', async () => {
    await makeDemoMedia(dataDir);
    server = await startChorusd({ dataDir, extraArgs: ['--rtc-announce-ip', kNetnsAnnounceIp] });
    const wavs = {
      hal: makeToneWav(dataDir, kHostHz),
      ann: makeToneWav(dataDir, kMemberHz),
      cy: makeToneWav(dataDir, 0),
    };
    for (const who of ['hal', 'ann', 'cy']) {
      users[who] = await openUser({
        baseUrl: server.baseUrl,
        username: names[who],
        password,
        wav: wavs[who],
      });
    }
    const me = await apiCall(users.hal.page, 'GET', '/api/auth/me');
    const streams = await apiCall(users.hal.page, 'GET', '/api/streams');
    const demo =
      streams.streams.find((s) => s.hls_url === '/media/demo/index.m3u8') ?? streams.streams[0];
    if (!demo) throw new Error('GET /api/streams has no stream');
    streamId = demo.id;
    const admin = await openUser({
      baseUrl: server.baseUrl,
      username: kAdminUser,
      password: kAdminPassword,
      chrome: users.cy.chrome,
      login: true,
    });
    await apiCall(admin.page, 'PATCH', `/api/streams/${streamId}`, {
      voice_enabled: true,
      host_id: me.user.id,
    });
    await admin.context.close();
  });
  if (!ready) throw new Error('setup failed');
  const { hal, ann, cy } = users;

  await step('open room: all three join and cy hears both tones', async () => {
    await joinVoice(hal.page, streamId);
    await joinVoice(ann.page, streamId);
    await joinVoice(cy.page, streamId);
    await waitHearing(cy.page, kHostHz);
    await waitHearing(cy.page, kMemberHz);
  });

  await step('the host turns stage on in Room controls', async () => {
    await hal.page.getByRole('button', { name: 'Room controls' }).click();
    const form = hal.page.getByRole('form', { name: 'Room settings' });
    await form.getByRole('radio', { name: /Stage/ }).check();
    await form.getByRole('button', { name: 'Save room settings' }).click();
    await form.getByText('Room settings saved.').waitFor();
    for (const u of [hal, ann, cy]) {
      await waitInSection(u.page, 'Speakers', names.hal);
      await waitInSection(u.page, 'Audience', names.ann);
    }
    // Announced to each (aria-live), whichever of the room and roster events came first.
    for (const [u, text] of [
      [hal, 'This room is now a stage — you are a speaker'],
      [ann, 'This room is now a stage — you are in the audience; raise your hand to speak'],
      [cy, 'This room is now a stage — you are in the audience; raise your hand to speak'],
    ]) {
      await waitFor(
        async () => (await u.page.getByTestId('stage-announcement').textContent()) === text,
        { timeoutMs: 10_000, what: `"${text}" announced to ${u.username}` },
      );
    }
  });

  await step('in the audience the member is muted and not heard', async () => {
    const unmute = ann.page.getByRole('button', { name: 'Unmute', exact: true });
    await unmute.waitFor();
    if ((await unmute.getAttribute('aria-disabled')) !== 'true')
      throw new Error('Unmute is not held back for a listener');
    await waitNotHearing(cy.page, kMemberHz);
    await waitHearing(cy.page, kHostHz); // the host is still heard
  });

  await step('the member raises a hand; the host sees it in the queue', async () => {
    await ann.page.getByRole('button', { name: 'Raise hand' }).click();
    await ann.page.getByRole('button', { name: 'Lower hand' }).waitFor();
    const queue = hal.page.getByRole('list', { name: 'Raised hands, oldest first' });
    await queue.getByText(names.ann, { exact: true }).waitFor();
    // Still in the audience: cy must not hear ann.
    await assertNotHearing(cy.page, kMemberHz);
    fs.mkdirSync(outDir, { recursive: true });
    await hal.page.screenshot({ path: path.join(outDir, 'stage-host.png'), fullPage: true });
    await ann.page.screenshot({ path: path.join(outDir, 'stage-listener.png'), fullPage: true });
  });

  await step('the host approves; the member is told and unmutes; cy hears them', async () => {
    await hal.page.getByRole('button', { name: `Approve ${names.ann}` }).click();
    await waitFor(
      async () =>
        /Your hand was approved — you can unmute now/.test(
          (await ann.page.getByTestId('stage-announcement').textContent()) ?? '',
        ),
      { timeoutMs: 15_000, what: 'the approval announced to ann' },
    );
    for (const u of [hal, ann, cy]) await waitInSection(u.page, 'Speakers', names.ann);
    // Approved but still muted until ann unmutes herself.
    await assertNotHearing(cy.page, kMemberHz, 1_500);
    const unmute = ann.page.getByRole('button', { name: 'Unmute', exact: true });
    await waitFor(async () => (await unmute.getAttribute('aria-disabled')) === null, {
      timeoutMs: 10_000,
      what: "ann's Unmute no longer held back",
    });
    await unmute.click();
    await ann.page.getByRole('button', { name: 'Mute', exact: true }).waitFor();
    await waitHearing(cy.page, kMemberHz);
  });

  await step('the host moves the member back to the audience; cy stops hearing them', async () => {
    await hal.page.getByRole('button', { name: `Move ${names.ann} to audience` }).click();
    await waitFor(
      async () =>
        /moved to the audience/.test(
          (await ann.page.getByTestId('stage-announcement').textContent()) ?? '',
        ),
      { timeoutMs: 15_000, what: 'the move announced to ann' },
    );
    await waitInSection(cy.page, 'Audience', names.ann);
    await waitNotHearing(cy.page, kMemberHz);
  });

  await step('slow mode: after an unmute the Unmute button counts down', async () => {
    const form = hal.page.getByRole('form', { name: 'Room settings' });
    await form.getByRole('spinbutton', { name: 'Slow mode (seconds)' }).fill(String(kSlowSeconds));
    await form.getByRole('button', { name: 'Save room settings' }).click();
    await waitFor(
      async () =>
        (await apiCall(hal.page, 'GET', `/api/voice/streams/${streamId}/state`)).room
          .slow_mode_seconds === kSlowSeconds,
      { timeoutMs: 10_000, what: `slow_mode_seconds ${kSlowSeconds} in …/state` },
    );
    await hal.page.getByRole('button', { name: `Invite ${names.ann} to speak` }).click();
    await waitFor(
      async () =>
        /you can unmute now/.test(
          (await ann.page.getByTestId('stage-announcement').textContent()) ?? '',
        ),
      { timeoutMs: 15_000, what: 'ann told she may speak again' },
    );
    // Slow mode counts from ann's unmute a moment ago: the button waits it out first.
    const unmute = ann.page.getByRole('button', { name: 'Unmute', exact: true });
    await waitFor(async () => (await unmute.getAttribute('aria-disabled')) === null, {
      timeoutMs: (kSlowSeconds + 10) * 1000,
      what: "ann's Unmute no longer held back",
    });
    await unmute.click();
    // The server may still count the unmute before slow mode began: then the refusal says how
    // long to wait and the button counts it down before the next try.
    const refused = ann.page.getByTestId('unmute-refused');
    if (await refused.isVisible().catch(() => false)) {
      const text = await refused.textContent();
      if (!/slow mode is on/.test(text)) throw new Error(`unexpected refusal "${text}"`);
      await waitFor(async () => (await unmute.getAttribute('aria-disabled')) === null, {
        timeoutMs: (kSlowSeconds + 5) * 1000,
        what: 'the refusal countdown to end',
      });
      await unmute.click();
    }
    await ann.page.getByRole('button', { name: 'Mute', exact: true }).click();
    const countdown = ann.page.getByTestId('unmute-countdown');
    await countdown.waitFor();
    if (!/^\d+ s$/.test((await countdown.textContent()).trim()))
      throw new Error(`countdown says "${await countdown.textContent()}"`);
    if ((await unmute.getAttribute('aria-disabled')) !== 'true')
      throw new Error('Unmute is not held back during the countdown');
    await waitNotHearing(cy.page, kMemberHz);
  });
} catch (error) {
  if (report.failed === 0) report.fail('run', error);
} finally {
  for (const u of Object.values(users)) {
    if (u?.chrome && !u.chromeClosed) {
      u.chromeClosed = true;
      await u.chrome.close();
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
