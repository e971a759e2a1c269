// Helpers for the voice browser tests: tone WAVs, users in their own Chromium, the Voice tab,
// and measuring what a page hears on its remote <audio> elements.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { launchChromium } from './browser.mjs';
import { waitFor } from './wait.mjs';

/** Writes a mono 48 kHz tone WAV (`hz` 0 → silence) of `seconds` and returns its path. */
export function makeToneWav(dir, hz, seconds = 30) {
  const file = path.join(dir, hz ? `tone${hz}.wav` : 'silence.wav');
  const synth = hz
    ? ['synth', String(seconds), 'sine', String(hz), 'vol', '0.5']
    : ['trim', '0', String(seconds)];
  execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', file, ...synth]);
  return file;
}

/**
 * Starts a Chromium with `wav` as its microphone, opens a context on `baseUrl` and registers
 * (or, with `login`, signs in) `username`. Returns { chrome, context, page, username }.
 * `chromeArgs` are extra Chromium flags (e.g. --ignore-certificate-errors).
 */
export async function openUser({
  baseUrl,
  username,
  password,
  wav,
  allowMic = true,
  chrome,
  login = false,
  chromeArgs = [],
}) {
  const browser =
    chrome ?? (await launchChromium({ fakeAudioFile: wav, allowMic, extraArgs: chromeArgs }));
  const context = await browser.browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1100, height: 900 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  await page.goto('/login');
  await apiCall(page, 'POST', login ? '/api/auth/login' : '/api/auth/register', {
    username,
    password,
  });
  return { chrome: browser, context, page, username };
}

/** Runs fetch in the page (same origin, JSON); throws with the request, status and body on error. */
export async function apiCall(page, method, url, body) {
  const result = await page.evaluate(
    async ({ method, url, body }) => {
      const init = { method, headers: { Accept: 'application/json' } };
      if (method !== 'GET') {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body ?? {});
      }
      const response = await fetch(url, init);
      return { status: response.status, text: await response.text() };
    },
    { method, url, body },
  );
  if (result.status >= 400)
    throw new Error(`${method} ${url} → ${result.status} ${result.text.slice(0, 300)}`);
  return result.text ? JSON.parse(result.text) : null;
}

/** Opens the stream's Voice tab and clicks Join; waits until the panel says Connected. */
export async function joinVoice(page, streamId, { buttonName = /Join/ } = {}) {
  await page.goto(`/streams/${streamId}?tab=voice`);
  const join = page.getByRole('button', { name: buttonName });
  await waitFor(async () => join.isEnabled(), { timeoutMs: 15_000, what: 'Join button enabled' });
  await join.click();
  await waitConnected(page);
}

/** Waits until the voice panel's connection status is Connected. */
export async function waitConnected(page, timeoutMs = 20_000) {
  await page.locator('.voice-connection[data-phase="connected"]').waitFor({ timeout: timeoutMs });
}

/** Returns [{username, speaking, muted}] from the participant list. */
export async function participants(page) {
  return page.locator('[data-testid="voice-participant"]').evaluateAll((rows) =>
    rows.map((r) => ({
      username: r.dataset.username,
      speaking: r.dataset.speaking === 'true',
      muted: r.dataset.muted,
    })),
  );
}

/**
 * Listens to every remote slot <audio> of the page for `ms` through an AnalyserNode and returns
 * [{slot, rms, peakHz, volume, muted}] (peakHz null when the slot is silent).
 */
export async function measureRemoteAudio(page, ms = 1200) {
  return page.evaluate(async (ms) => {
    const elements = [...document.querySelectorAll('audio[data-voice-slot]')].filter(
      (el) => el.srcObject,
    );
    if (!elements.length) return [];
    const ctx = new AudioContext();
    await ctx.resume();
    const probes = elements.map((el) => {
      const source = ctx.createMediaStreamSource(el.srcObject);
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 8192;
      source.connect(analyser);
      return { el, analyser, rmsMax: 0, peaks: new Map() };
    });
    const deadline = performance.now() + ms;
    while (performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      for (const probe of probes) {
        const time = new Float32Array(probe.analyser.fftSize);
        probe.analyser.getFloatTimeDomainData(time);
        let sum = 0;
        for (const s of time) sum += s * s;
        const rms = Math.sqrt(sum / time.length);
        probe.rmsMax = Math.max(probe.rmsMax, rms);
        if (rms > 0.005) {
          const freq = new Float32Array(probe.analyser.frequencyBinCount);
          probe.analyser.getFloatFrequencyData(freq);
          let best = 1;
          for (let i = 2; i < freq.length; i++) if (freq[i] > freq[best]) best = i;
          const hz = Math.round((best * ctx.sampleRate) / probe.analyser.fftSize);
          probe.peaks.set(hz, (probe.peaks.get(hz) ?? 0) + 1);
        }
      }
    }
    await ctx.close();
    return probes.map((p) => {
      const top = [...p.peaks.entries()].sort((a, b) => b[1] - a[1])[0];
      return {
        slot: Number(p.el.dataset.voiceSlot),
        rms: Number(p.rmsMax.toFixed(4)),
        peakHz: top ? top[0] : null,
        volume: p.el.volume,
        muted: p.el.muted,
      };
    });
  }, ms);
}

/** Waits until some remote slot carries a tone near `hz`; returns the measurement. */
export async function waitHearing(page, hz, timeoutMs = 20_000) {
  let last = [];
  try {
    return await waitFor(
      async () => {
        last = await measureRemoteAudio(page);
        return (
          last.find((s) => s.rms > 0.01 && s.peakHz !== null && Math.abs(s.peakHz - hz) <= 25) ??
          null
        );
      },
      { timeoutMs, intervalMs: 200, what: `a ${hz} Hz tone on a remote <audio>` },
    );
  } catch (error) {
    throw new Error(`${error.message}; last measurement ${JSON.stringify(last)}`);
  }
}

/** Waits until no remote slot carries a tone near `hz` (the speaker was muted or left). */
export async function waitNotHearing(page, hz, timeoutMs = 15_000) {
  let last = [];
  try {
    await waitFor(
      async () => {
        last = await measureRemoteAudio(page, 800);
        return !last.some(
          (s) => s.rms > 0.01 && s.peakHz !== null && Math.abs(s.peakHz - hz) <= 25,
        );
      },
      { timeoutMs, intervalMs: 200, what: `silence of the ${hz} Hz tone` },
    );
  } catch (error) {
    throw new Error(`${error.message}; last measurement ${JSON.stringify(last)}`);
  }
}
