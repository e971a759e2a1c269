// Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi (../shared/TESTING.md
// "Firefox"; never a downloaded browser), and the network namespace it needs: in a namespace
// without a default route Firefox's ICE fails ("ICE failed, add a STUN server"), so the test
// namespace routes by default to a second, sealed namespace that has no other link and forwards
// nothing.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { kNetnsAnnounceIp } from './netns.mjs';
import { waitFor } from './wait.mjs';

export const kFirefoxPath = process.env.FIREFOX_BIN ?? '/usr/bin/firefox-esr';
/** The sealed namespace's end of the link: the test namespace's default gateway. */
const kGatewayIp = '10.78.0.2';
/** Same marker as lib/netns.mjs, so currentNetns() names this namespace too. */
const kEnvMarker = 'CHORUS_E2E_NETNS';

function ip(...args) {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function deleteNetns(name) {
  try {
    ip('netns', 'del', name);
  } catch {
    // Already gone.
  }
}

/**
 * Creates `name` (lo, and vt0 = 10.78.0.1/24 with a default route) and `name-gw` (vt1 =
 * 10.78.0.2/24 and nothing else: packets routed there go no further). Throws if the kernel
 * refuses; leaves nothing behind then.
 */
export function createRoutedNetns(name) {
  const gateway = `${name}-gw`;
  try {
    ip('netns', 'add', name);
    ip('netns', 'add', gateway);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    ip('-n', name, 'link', 'add', 'vt0', 'type', 'veth', 'peer', 'name', 'vt1', 'netns', gateway);
    ip('-n', name, 'addr', 'add', `${kNetnsAnnounceIp}/24`, 'dev', 'vt0');
    ip('-n', gateway, 'addr', 'add', `${kGatewayIp}/24`, 'dev', 'vt1');
    ip('-n', name, 'link', 'set', 'vt0', 'up');
    ip('-n', gateway, 'link', 'set', 'vt1', 'up');
    ip('-n', name, 'route', 'add', 'default', 'via', kGatewayIp);
  } catch (error) {
    deleteRoutedNetns(name);
    throw error;
  }
}

/** Deletes both namespaces of createRoutedNetns (the veth pair goes with them). */
export function deleteRoutedNetns(name) {
  deleteNetns(name);
  deleteNetns(`${name}-gw`);
}

/**
 * Re-runs the calling script inside a fresh routed namespace (`<prefix>-<pid>`) and exits with
 * its status; returns only in the child. Fails the run when namespaces are unavailable: Firefox
 * must not gather candidates on the machine's real interfaces.
 */
export async function isolateInRoutedNetns(scriptUrl, { prefix = 'chff' } = {}) {
  if (process.env[kEnvMarker]) return;
  const name = `${prefix}-${process.pid}`;
  try {
    createRoutedNetns(name);
  } catch (error) {
    console.log(
      `FAIL netns: cannot create network namespaces (${String(error.stderr ?? error.message).trim()})`,
    );
    process.exit(1);
  }
  const child = spawn(
    'ip',
    ['netns', 'exec', name, process.execPath, fileURLToPath(scriptUrl), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, [kEnvMarker]: name } },
  );
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise((resolve) => {
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
  deleteRoutedNetns(name);
  process.exit(code);
}

/**
 * Preferences for a test Firefox with a fake microphone playing a `toneHz` sine.
 * force_mock_context gives the media graph a simulated audio device: with no sound card the
 * real backend fails, every AudioContext stays 'suspended', and both the GUI's WebAudio
 * microphone path (silence sent) and an AnalyserNode on what arrives (nothing measured) stop.
 */
function testPrefs(toneHz) {
  return {
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
    'media.navigator.audio.fake_frequency': toneHz,
    'media.cubeb.force_mock_context': true,
    // Quiet background traffic (it would only die at the sealed gateway anyway).
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'network.trr.mode': 5,
    'toolkit.telemetry.enabled': false,
  };
}

/**
 * Launches headless firefox-esr over WebDriver BiDi with the profile in `profileDir` (inside
 * the test's data dir, so a killed run leaves nothing elsewhere). Returns { browser, pid, close }.
 */
export async function launchFirefox({ profileDir, toneHz = 1000, prefs = {} }) {
  fs.mkdirSync(profileDir, { recursive: true });
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: kFirefoxPath,
    headless: true,
    userDataDir: profileDir,
    extraPrefsFirefox: { ...testPrefs(toneHz), ...prefs },
    timeout: 60_000,
    protocolTimeout: 60_000,
  });
  const pid = browser.process()?.pid ?? null;
  const close = async () => {
    await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 5_000))]);
    // puppeteer starts Firefox as a process group leader: its content processes go with it.
    if (pid !== null) killGroup(pid);
  };
  return { browser, pid, close };
}

function killGroup(pid) {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already exited.
    }
  }
}

/**
 * A user in their own Firefox: opens `baseUrl`/login and registers `username` (same-origin
 * fetch, as lib/voice.mjs's openUser). Returns { firefox, page, username, baseUrl }; page.errors
 * collects uncaught page errors.
 */
export async function openFirefoxUser({ baseUrl, username, password, profileDir, toneHz }) {
  const firefox = await launchFirefox({ profileDir, toneHz });
  try {
    const page = await firefox.browser.newPage();
    page.setDefaultTimeout(15_000);
    page.errors = [];
    page.on('pageerror', (error) => page.errors.push(error.message));
    await page.evaluateOnNewDocument(recordPeerConnections);
    await page.goto(`${baseUrl}/login`);
    await firefoxApiCall(page, 'POST', '/api/auth/register', { username, password });
    return { firefox, page, username, baseUrl };
  } catch (error) {
    await firefox.close();
    throw error;
  }
}

/** Keeps every RTCPeerConnection the page makes in window.__chorusPeerConnections (test only). */
function recordPeerConnections() {
  const Original = window.RTCPeerConnection;
  window.__chorusPeerConnections = [];
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      window.__chorusPeerConnections.push(this);
    }
  };
}

/** fetch in the page (same origin, JSON); throws with request, status and body on error. */
export async function firefoxApiCall(page, method, url, body) {
  const result = await page.evaluate(
    async (method, url, body) => {
      const init = { method, headers: { Accept: 'application/json' } };
      if (method !== 'GET') {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body ?? {});
      }
      const response = await fetch(url, init);
      return { status: response.status, text: await response.text() };
    },
    method,
    url,
    body ?? null,
  );
  if (result.status >= 400)
    throw new Error(`${method} ${url} → ${result.status} ${result.text.slice(0, 300)}`);
  return result.text ? JSON.parse(result.text) : null;
}

/**
 * Opens the stream's Voice tab, clicks "Join voice" with a real (BiDi input) click, so it
 * counts as a user gesture as it would for a person, and waits until the panel says Connected.
 */
export async function joinVoiceFirefox(user, streamId, timeoutMs = 30_000) {
  const { page, baseUrl } = user;
  await page.goto(`${baseUrl}/streams/${streamId}?tab=voice`);
  const join = await page.waitForFunction(
    () =>
      [...document.querySelectorAll('button')].find(
        (b) => b.textContent.trim() === 'Join voice' && !b.disabled,
      ),
    { timeout: 15_000 },
  );
  await join.asElement().click();
  await join.dispose();
  await page.waitForSelector('.voice-connection[data-phase="connected"]', { timeout: timeoutMs });
}

/**
 * getStats of the page's newest open peer connection: the inbound audio streams
 * [{mid, packetsReceived}], the DTLS transport and its selected candidate pair, or null.
 */
export async function firefoxRtcStats(page) {
  return page.evaluate(async () => {
    const pc = (window.__chorusPeerConnections ?? [])
      .filter((p) => p.connectionState !== 'closed')
      .at(-1);
    if (!pc) return null;
    const stats = await pc.getStats();
    const inbound = [];
    let transport = null;
    stats.forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') {
        inbound.push({ mid: r.mid ?? null, packetsReceived: r.packetsReceived ?? 0 });
      }
      if (r.type === 'transport') transport = r;
    });
    const candidate = (id) => {
      const c = stats.get(id) ?? {};
      return { type: c.candidateType, protocol: c.protocol, address: c.address, port: c.port };
    };
    const pair = transport?.selectedCandidatePairId
      ? stats.get(transport.selectedCandidatePairId)
      : null;
    return {
      connection: pc.connectionState,
      dtls: transport && {
        state: transport.dtlsState,
        role: transport.dtlsRole,
        cipher: transport.dtlsCipher,
        srtp: transport.srtpCipher,
      },
      pair: pair && {
        state: pair.state,
        local: candidate(pair.localCandidateId),
        remote: candidate(pair.remoteCandidateId),
      },
      inbound,
    };
  });
}

/**
 * Throws unless the page's AudioContext can run: the GUI's microphone path and the hearing
 * measurement both need it (see testPrefs). Bounded, since resume() on a context without an
 * audio device never settles.
 */
export async function checkAudioContextRuns(page, timeoutMs = 5_000) {
  const state = await page.evaluate(async (timeoutMs) => {
    const ctx = new AudioContext();
    await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, timeoutMs))]);
    const result = ctx.state;
    await ctx.close();
    return result;
  }, timeoutMs);
  if (state !== 'running') throw new Error(`Firefox's AudioContext stays '${state}'`);
}

/** Total inbound-rtp audio packetsReceived of the page's peer connection (0 when none). */
export async function firefoxPacketsReceived(page) {
  const stats = await firefoxRtcStats(page);
  return (stats?.inbound ?? []).reduce((sum, s) => sum + s.packetsReceived, 0);
}

/** Waits until the page's inbound audio packetsReceived exceeds `above`; returns the count. */
export async function waitPacketsAbove(page, above, timeoutMs = 10_000) {
  return waitFor(
    async () => {
      const count = await firefoxPacketsReceived(page);
      return count > above ? count : null;
    },
    { timeoutMs, intervalMs: 250, what: `inbound-rtp audio packetsReceived above ${above}` },
  );
}
