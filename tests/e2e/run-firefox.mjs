// Browser test of Firefox (issue 9): Debian's firefox-esr, driven by puppeteer-core over
// WebDriver BiDi, and Debian's Chromium join one voice room through chorusd's SFU and hear each
// other. Firefox has its own ICE agent and DTLS/SRTP stack (NSS), which Chromium and aiortc
// cannot stand in for. Firefox's fake microphone plays 660 Hz, Chromium's 440 Hz: each side must
// hear the other's frequency on its remote <audio> elements (AnalyserNode; headless Firefox gets
// a simulated audio device so its AudioContext runs, lib/firefox.mjs), and Firefox's getStats
// must show DTLS-SRTP over UDP to the SFU and inbound audio packets growing. Runs in namespaces
// of its own (chff-<pid>) with a default route to a sealed one, which Firefox's ICE needs.
// Prints PASS/FAIL lines.
import fs from 'node:fs';
import path from 'node:path';
import { startChorusd, tailOf, kAdminUser, kAdminPassword } from './lib/chorusd.mjs';
import {
  checkAudioContextRuns,
  firefoxPacketsReceived,
  firefoxRtcStats,
  isolateInRoutedNetns,
  joinVoiceFirefox,
  openFirefoxUser,
  waitPacketsAbove,
} from './lib/firefox.mjs';
import { kNetnsAnnounceIp } from './lib/netns.mjs';
import { makeTempDir } from './lib/paths.mjs';
import { waitFor } from './lib/wait.mjs';
import { Report } from './lib/report.mjs';
import { apiCall, joinVoice, makeToneWav, openUser, waitHearing } from './lib/voice.mjs';

await isolateInRoutedNetns(import.meta.url, { prefix: 'chff' });

const report = new Report();
const dataDir = makeTempDir('chorus-e2e-firefox');
const suffix = Date.now().toString(36).slice(-5);
const password = 'firefox-password-1';
const tones = { chromium: 440, firefox: 660 };
let server = null;
let streamId = null;
const users = {};
let cleanedUp = false;

// On Ctrl-C, puppeteer's and Playwright's SIGINT handlers close their browsers and call
// process.exit(130) before `finally` runs: chorusd and the data dir must not outlive the run.
process.on('exit', () => {
  if (cleanedUp) return;
  if (server && !server.exitStatus()) {
    try {
      process.kill(server.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Runs a check; on failure prints both pages' errors and Firefox's WebRTC state. */
async function step(name, fn) {
  const ok = await report.check(name, fn);
  if (!ok) {
    if (users.fox?.page && !users.fox.page.isClosed()) {
      const stats = await firefoxRtcStats(users.fox.page).catch((e) => `(${e.message})`);
      console.log(`  firefox rtc: ${JSON.stringify(stats)}`);
    }
    for (const [who, u] of Object.entries(users)) {
      if (u?.page?.errors?.length)
        console.log(`  ${who} page errors: ${u.page.errors.join(' | ')}`);
    }
    const ended = server?.exitStatus?.();
    if (ended) console.log(`  chorusd is no longer running (${ended})`);
  }
  return ok;
}

/** Creates a voice-enabled stream as the bootstrap admin (in a second Chromium context). */
async function createVoiceStream(chrome) {
  const admin = await openUser({
    baseUrl: server.baseUrl,
    username: kAdminUser,
    password: kAdminPassword,
    chrome,
    login: true,
  });
  try {
    const created = await apiCall(admin.page, 'POST', '/api/streams', {
      title: 'firefox voice',
      voice_enabled: true,
    });
    return created.id;
  } finally {
    await admin.context.close();
  }
}

/**
 * Firefox's own view of the media path: DTLS connected with SRTP keys, and the selected
 * candidate pair is UDP to the SFU's announced address and port.
 */
function checkFirefoxPath(stats) {
  console.log(`  firefox transport ${JSON.stringify({ dtls: stats?.dtls, pair: stats?.pair })}`);
  if (stats?.dtls?.state !== 'connected' || !stats.dtls.srtp)
    throw new Error(`DTLS not connected with SRTP: ${JSON.stringify(stats?.dtls)}`);
  const remote = stats.pair?.remote;
  if (
    stats.pair?.state !== 'succeeded' ||
    remote?.protocol !== 'udp' ||
    remote.address !== kNetnsAnnounceIp ||
    remote.port !== server.rtcUdpPort
  ) {
    throw new Error(`selected pair is not UDP to ${kNetnsAnnounceIp}:${server.rtcUdpPort}`);
  }
}

try {
  const ready = await step('setup: chorusd, a Chromium user and a Firefox user', async () => {
    server = await startChorusd({
      dataDir,
      extraArgs: ['--rtc-announce-ip', kNetnsAnnounceIp, '--demo-stream', 'false'],
    });
    // Both browsers start at once: launching is most of this test's time on a busy machine.
    // allSettled, not all: a browser still starting when the other fails must be closed too.
    const launched = await Promise.allSettled([
      (async () => {
        users.ann = await openUser({
          baseUrl: server.baseUrl,
          username: `ann_${suffix}`,
          password,
          wav: makeToneWav(dataDir, tones.chromium),
        });
      })(),
      (async () => {
        users.fox = await openFirefoxUser({
          baseUrl: server.baseUrl,
          username: `fox_${suffix}`,
          password,
          profileDir: path.join(dataDir, 'firefox-profile'),
          toneHz: tones.firefox,
        });
      })(),
    ]);
    const failed = launched.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    streamId = await createVoiceStream(users.ann.chrome);
    await checkAudioContextRuns(users.fox.page);
    console.log(
      `  ${await users.fox.firefox.browser.version()} and ${users.ann.chrome.browser.version()}`,
    );
  });
  if (!ready) throw new Error('setup failed');

  const { ann, fox } = users;
  const joined = await step(
    'Firefox joins voice: its ICE and DTLS connect to chorusd',
    async () => {
      await joinVoiceFirefox(fox, streamId);
      // The GUI says connected once ICE is; Firefox's transport stats may report the DTLS state a
      // moment later, so wait (bounded) for DTLS with SRTP before checking the path.
      const stats = await waitFor(
        async () => {
          const current = await firefoxRtcStats(fox.page);
          return current?.dtls?.state === 'connected' && current.dtls.srtp ? current : null;
        },
        { timeoutMs: 10_000, what: "Firefox's DTLS connected with SRTP" },
      ).catch(async () => firefoxRtcStats(fox.page));
      checkFirefoxPath(stats);
      await joinVoice(ann.page, streamId);
    },
  );
  if (!joined) throw new Error('join failed');

  await step(`the Chromium user hears Firefox's ${tones.firefox} Hz tone`, async () => {
    const heard = await waitHearing(ann.page, tones.firefox);
    console.log(`  chromium hears ${JSON.stringify(heard)}`);
  });

  await step(`the Firefox user hears Chromium's ${tones.chromium} Hz tone`, async () => {
    const heard = await waitHearing(fox.page, tones.chromium);
    console.log(`  firefox hears ${JSON.stringify(heard)}`);
    // Firefox blocks audible autoplay without a gesture: the element must play (started by the
    // Join click), not only carry the track.
    const paused = await fox.page.evaluate(
      (slot) => document.querySelector(`audio[data-voice-slot="${slot}"]`)?.paused ?? null,
      heard.slot,
    );
    if (paused !== false) throw new Error(`slot ${heard.slot}'s <audio> paused: ${paused}`);
  });

  await step("Firefox's getStats: inbound-rtp audio packetsReceived grows", async () => {
    const before = await firefoxPacketsReceived(fox.page);
    // Opus at 20 ms is 50 packets a second: 50 more takes about a second.
    const after = await waitPacketsAbove(fox.page, before + 50);
    console.log(`  firefox inbound audio packets ${before} → ${after}`);
  });
} catch (error) {
  if (report.failed === 0) report.fail('run', error);
} finally {
  await users.fox?.firefox.close();
  await users.ann?.chrome.close();
  if (server) {
    await server.stop();
    if (report.failed > 0) console.log(`--- chorusd log (tail) ---\n${tailOf(server.logFile)}`);
  }
  if (report.failed === 0) fs.rmSync(dataDir, { recursive: true, force: true });
  else console.log(`kept ${dataDir} for inspection`);
  cleanedUp = true;
}
process.exit(report.exitCode);
