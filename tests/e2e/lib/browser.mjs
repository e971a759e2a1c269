// Launching Debian's Chromium through playwright-core with the flags of ../shared/TESTING.md.
import { chromium } from 'playwright-core';

export const kChromiumPath = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

const kBaseFlags = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * Launches Chromium and returns { browser, pid, close }. Playwright gives every launch a fresh
 * temporary user-data-dir. `fakeAudioFile` (a WAV) turns on the fake microphone; `allowMic`
 * false leaves out the auto-accept flag so a permission prompt can be denied.
 * `executablePath` may point to a wrapper (for example one that enters a network namespace).
 */
export async function launchChromium({
  fakeAudioFile,
  allowMic = true,
  extraArgs = [],
  executablePath = kChromiumPath,
} = {}) {
  const args = [...kBaseFlags];
  if (fakeAudioFile) {
    args.push(
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${fakeAudioFile}`,
    );
    if (allowMic) args.push('--use-fake-ui-for-media-stream');
  }
  args.push(...extraArgs);
  // headless:false + our own --headless=new, or Playwright adds --mute-audio (TESTING.md).
  // launchServer (not launch) because only a BrowserServer exposes the browser's PID.
  const server = await chromium.launchServer({
    executablePath,
    headless: false,
    ignoreDefaultArgs: ['--headless'],
    args,
    host: '127.0.0.1',
    timeout: 30_000,
  });
  const pid = server.process()?.pid ?? null;
  let browser;
  try {
    browser = await chromium.connect(server.wsEndpoint(), { timeout: 30_000 });
  } catch (error) {
    if (pid !== null) killGroup(pid);
    throw error;
  }
  const close = async () => {
    await Promise.race([
      (async () => {
        await browser.close().catch(() => {});
        await server.close().catch(() => {});
      })(),
      new Promise((r) => setTimeout(r, 5_000)),
    ]);
    if (pid !== null) killGroup(pid);
  };
  return { browser, pid, close };
}

/** Kills the process group led by `pid` (Chromium and its helpers), then the PID itself. */
function killGroup(pid) {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already exited.
    }
  }
}
