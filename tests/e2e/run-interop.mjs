// WebRTC interop of Chorus's own SFU (issue 4): two Chromium pages (fake mics playing 440 Hz and
// 880 Hz) join the demo stream's voice through the REST API and /rtc with a bare
// RTCPeerConnection (tests/interop/page.html) and each hears the other: energy on the playing
// remote track, and the right tone through a WebAudio AnalyserNode. Then a python3-aiortc peer
// (tests/interop/aiortc_peer.py, 660 Hz) joins the same room: it hears 440 and 880 Hz and both
// browsers hear 660 Hz. Runs in a private network namespace (required: browsers would otherwise
// gather candidates on the real interface). Prints PASS/FAIL lines; exits non-zero on failure.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import { launchChromium } from './lib/browser.mjs';
import { startChorusd, tailOf } from './lib/chorusd.mjs';
import { isolateInNetns, kNetnsAnnounceIp } from './lib/netns.mjs';
import { makeTempDir, repoRoot } from './lib/paths.mjs';
import { Report } from './lib/report.mjs';
import { waitFor, waitForExit } from './lib/wait.mjs';

const kStreamId = 1; // the demo stream, voice enabled
const kSlots = 4;
const kOriginPath = '/healthz';
const kPageFile = path.join(repoRoot, 'tests', 'interop', 'page.html');
const kAiortcPeer = path.join(repoRoot, 'tests', 'interop', 'aiortc_peer.py');
const kPython = process.env.CHORUS_PYTHON ?? '/usr/bin/python3';
const kToneSeconds = 10; // Chromium loops the fake-mic file
const kFreqTolerance = 0.03; // ±3 % (the analyser's bins are 5.9 Hz wide at 48 kHz / 8192)
const kMediaTimeoutMs = 20_000;
const kAiortcMinRms = 0.02;
const kAiortcMaxAgeS = 0.5;
const kAudibleDb = -60; // analyser peak above which a tone counts as heard (tones peak near -20)

await isolateInNetns(import.meta.url, { required: true });

const execFileAsync = promisify(execFile);
const report = new Report();
const dataDir = makeTempDir('chorus-e2e-interop');
const password = 'interop-password-1';
const tag = Date.now().toString(36);
let server = null;
const chromes = [];
let aiortc = null;

/** Stops everything this script started, by PID; safe to call twice. */
async function cleanup() {
  if (aiortc && aiortc.child.exitCode === null && aiortc.child.signalCode === null) {
    aiortc.child.stdin.end();
    if (!(await waitForExit(aiortc.child, 3_000))) {
      aiortc.child.kill('SIGKILL');
      await waitForExit(aiortc.child, 2_000);
    }
  }
  await Promise.all(chromes.splice(0).map((c) => c.close()));
  if (server) await server.stop();
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    report.fail('interrupted', new Error(signal));
    cleanup().finally(() => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(1);
    });
  });
}

/** True when `hz` is within the tolerance of `want`. */
function near(hz, want) {
  return typeof hz === 'number' && Math.abs(hz - want) <= want * kFreqTolerance;
}

/** Makes a `seconds`-long 48 kHz mono sine WAV with sox; returns its path. */
async function makeTone(hz) {
  const file = path.join(dataDir, `tone${hz}.wav`);
  await execFileAsync('sox', [
    '-n',
    '-r',
    '48000',
    '-c',
    '1',
    '-b',
    '16',
    file,
    'synth',
    String(kToneSeconds),
    'sine',
    String(hz),
    'vol',
    '0.5',
  ]);
  return file;
}

/** Opens the interop page on chorusd's origin in a fresh context of `chrome`; returns the page. */
async function openClient(chrome, name, toneHz) {
  const context = await chrome.browser.newContext({ baseURL: server.baseUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(kMediaTimeoutMs);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // A document of chorusd's own origin and address space, then the client page written into it
  // (see the comment at the top of page.html).
  await page.goto(kOriginPath);
  await page.setContent(fs.readFileSync(kPageFile, 'utf8'));
  await page.waitForFunction(() => window.chorusInterop !== undefined);
  const user = await page.evaluate(
    ([u, p]) => window.chorusInterop.register(u, p),
    [`${name}_${tag}`, password],
  );
  return { name, toneHz, page, user, pageErrors, joined: null };
}

/**
 * Waits until `client` hears `wantHz` from the member `fromUserId` (when given) on a playing
 * remote track with non-zero audioLevel and totalAudioEnergy; returns that track's status.
 */
async function waitHears(client, wantHz, fromUserId) {
  let last = null;
  try {
    return await waitFor(
      async () => {
        last = await client.page.evaluate(() => window.chorusInterop.status());
        return last.tracks.find(
          (t) =>
            (fromUserId === undefined || t.userId === fromUserId) &&
            t.playing &&
            t.audioLevel > 0 &&
            t.totalAudioEnergy > 0 &&
            near(t.dominant.hz, wantHz),
        );
      },
      { timeoutMs: kMediaTimeoutMs, intervalMs: 250, what: `${client.name} to hear ${wantHz} Hz` },
    );
  } catch (error) {
    throw new Error(`${error.message}; last status: ${JSON.stringify(last)}`);
  }
}

/** Starts the aiortc peer; returns {child, lines, latest()} (its JSON status lines). */
function startAiortc(baseUrl, username, hz) {
  const child = spawn(
    kPython,
    [
      kAiortcPeer,
      '--base-url',
      baseUrl,
      '--username',
      username,
      '--password',
      password,
      '--stream-id',
      String(kStreamId),
      '--freq',
      String(hz),
      '--slots',
      String(kSlots),
      '--duration',
      '60',
      '--status-interval',
      '0.5',
      '--stop-on-stdin-eof',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const peer = { child, lines: [], stderr: '' };
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      peer.lines.push(JSON.parse(line));
    } catch {
      peer.lines.push({ event: 'text', line });
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    peer.stderr = (peer.stderr + chunk).slice(-4000);
  });
  return peer;
}

/** Prints what a client heard on a track (evidence in the log). */
function note(client, track) {
  const { slot, userId, dominant, audioLevel, totalAudioEnergy, packetsReceived } = track;
  console.log(
    `  ${client.name} hears user ${userId} in slot ${slot}: ${dominant.hz} Hz ` +
      `(${dominant.db} dB), audioLevel ${audioLevel.toFixed(3)}, ` +
      `totalAudioEnergy ${totalAudioEnergy.toFixed(3)}, packets ${packetsReceived}`,
  );
}

/**
 * Returns what the aiortc peer hears now: [{hz, userId, rms}] for tracks with a frame in the last
 * kAiortcMaxAgeS seconds and at least kAiortcMinRms, the member taken from the slot messages.
 */
function aiortcHeard() {
  const status = aiortcLatest('status');
  const joined = aiortc.lines.find((l) => l.event === 'joined');
  if (!status || !joined) return null;
  return status.tracks
    .filter((t) => t.age_s !== null && t.age_s <= kAiortcMaxAgeS && t.rms >= kAiortcMinRms)
    .map((t) => {
      const slot = joined.slots.find((s) => s.mid === t.mid);
      const userId = slot ? (status.slot_users[String(slot.index)] ?? null) : null;
      return { mid: t.mid, hz: t.dominant_hz, userId, rms: t.rms };
    });
}

/** Waits until `predicate(aiortcHeard())` holds; returns what was heard. */
async function waitAiortc(predicate, what) {
  let last = null;
  try {
    return await waitFor(
      () => {
        last = aiortcHeard();
        return last && predicate(last) ? last : null;
      },
      { timeoutMs: kMediaTimeoutMs, intervalMs: 250, what },
    );
  } catch (error) {
    throw new Error(`${error.message}; last heard: ${JSON.stringify(last)}`);
  }
}

/** True when `heard` has a track near `hz` carrying member `userId`. */
function hasTone(heard, hz, userId) {
  return heard.some((t) => near(t.hz, hz) && t.userId === userId);
}

/** Returns the aiortc peer's last line of `event`, or throws if it reported an error/exited. */
function aiortcLatest(event) {
  const error = aiortc.lines.find((l) => l.event === 'error');
  if (error) throw new Error(`aiortc peer: ${error.message}`);
  if (aiortc.child.exitCode !== null) {
    throw new Error(`aiortc peer exited ${aiortc.child.exitCode}: ${aiortc.stderr.slice(-600)}`);
  }
  return aiortc.lines.filter((l) => l.event === event).at(-1) ?? null;
}

try {
  const clients = [];
  const ready = await report.check('setup', async () => {
    const [wav440, wav880] = await Promise.all([makeTone(440), makeTone(880)]);
    server = await startChorusd({
      dataDir,
      extraArgs: ['--rtc-announce-ip', kNetnsAnnounceIp],
    });
    const launched = await Promise.all([
      launchChromium({ fakeAudioFile: wav440 }),
      launchChromium({ fakeAudioFile: wav880 }),
    ]);
    chromes.push(...launched);
    clients.push(
      await openClient(launched[0], 'tone440', 440),
      await openClient(launched[1], 'tone880', 880),
    );
  });
  if (!ready) throw new Error('setup failed');
  const [a, b] = clients;

  await report.check('browsers-join-rtc', async () => {
    for (const client of clients) {
      client.joined = await client.page.evaluate(
        ([id, k]) => window.chorusInterop.join(id, k),
        [kStreamId, kSlots],
      );
      if (client.joined.userId !== client.user.id) {
        throw new Error(`${client.name}: joined as ${client.joined.userId}, not ${client.user.id}`);
      }
    }
    for (const client of clients) {
      await waitFor(
        async () => {
          const s = await client.page.evaluate(() => window.chorusInterop.status());
          return s.connection === 'connected' && ['connected', 'completed'].includes(s.ice);
        },
        { timeoutMs: kMediaTimeoutMs, what: `${client.name} ICE+DTLS connected` },
      );
    }
  });

  // DESIGN.md: the browser is the DTLS client, SRTP prefers AEAD_AES_128_GCM.
  await report.check('browsers-dtls-client-srtp-gcm', async () => {
    for (const client of clients) {
      const { transport } = await client.page.evaluate(() => window.chorusInterop.status());
      console.log(`  ${client.name} transport ${JSON.stringify(transport)}`);
      if (transport?.dtlsState !== 'connected' || transport?.dtlsRole !== 'client') {
        throw new Error(
          `${client.name}: DTLS not connected as client: ${JSON.stringify(transport)}`,
        );
      }
      if (!/AEAD_AES_128_GCM$/.test(transport.srtpCipher ?? '')) {
        throw new Error(`${client.name}: SRTP ${transport.srtpCipher}, not AEAD_AES_128_GCM`);
      }
    }
  });

  await report.check('browser-440-hears-880', async () => {
    note(a, await waitHears(a, 880, b.user.id));
  });
  await report.check('browser-880-hears-440', async () => {
    note(b, await waitHears(b, 440, a.user.id));
  });
  await report.check('browsers-never-hear-themselves', async () => {
    for (const client of clients) {
      const s = await client.page.evaluate(() => window.chorusInterop.status());
      const own = s.tracks.filter(
        (t) =>
          t.userId === client.user.id ||
          (near(t.dominant.hz, client.toneHz) && t.dominant.db > kAudibleDb),
      );
      if (own.length) throw new Error(`${client.name} hears its own voice: ${JSON.stringify(own)}`);
    }
  });

  // RTCP interop: the server's receiver reports reach Chromium (RTT and loss in getStats), and
  // the server's own "stats" message reports the media it counts.
  await report.check('browsers-get-server-rtcp-and-stats', async () => {
    for (const client of clients) {
      let last = null;
      await waitFor(
        async () => {
          last = await client.page.evaluate(() => window.chorusInterop.status());
          const r = last.remoteInbound;
          return r && r.roundTripTimeMeasurements > 0 && r.roundTripTime !== null;
        },
        {
          timeoutMs: kMediaTimeoutMs,
          what: `${client.name} remote-inbound-rtp RTT from the server's receiver reports`,
        },
      ).catch((error) => {
        throw new Error(`${error.message}; last: ${JSON.stringify(last?.remoteInbound)}`);
      });
      // rtt_ms comes from Chromium's receiver reports on the slots (LSR/DLSR of the server's
      // sender reports, RFC 3550 6.4.1).
      let lastStats = null;
      const stats = await waitFor(
        async () => {
          const messages = await client.page.evaluate(() => window.chorusInterop.messages());
          lastStats = messages.filter((m) => m.type === 'stats').at(-1) ?? null;
          return messages.find(
            (m) => m.type === 'stats' && m.packets_in > 0 && m.packets_out > 0 && m.rtt_ms !== null,
          );
        },
        {
          timeoutMs: kMediaTimeoutMs,
          what: `${client.name} a "stats" message with packets both ways and rtt_ms`,
        },
      ).catch((error) => {
        throw new Error(`${error.message}; last stats: ${JSON.stringify(lastStats)}`);
      });
      console.log(
        `  ${client.name}: browser RTT ${last.remoteInbound.roundTripTime} s, lost ` +
          `${last.remoteInbound.packetsLost}; server stats ${JSON.stringify(stats)}`,
      );
    }
  });

  await report.check('aiortc-joins', async () => {
    aiortc = startAiortc(server.baseUrl, `aiortc_${tag}`, 660);
    await waitFor(
      () => {
        const status = aiortcLatest('status');
        return status && status.connection === 'connected';
      },
      { timeoutMs: kMediaTimeoutMs, what: 'aiortc peer connected' },
    );
  });

  await report.check('aiortc-hears-440-and-880', async () => {
    const heard = await waitAiortc(
      (h) =>
        hasTone(h, 440, a.user.id) && hasTone(h, 880, b.user.id) && !h.some((t) => near(t.hz, 660)),
      'aiortc to hear 440 Hz from tone440 and 880 Hz from tone880, and not its own 660 Hz',
    );
    console.log(`  aiortc hears ${JSON.stringify(heard)}`);
  });

  for (const client of clients) {
    await report.check(`${client.name}-hears-aiortc-660`, async () => {
      const joined = aiortc.lines.find((l) => l.event === 'joined');
      note(client, await waitHears(client, 660, joined?.user_id));
    });
  }

  // The tone checks must also be able to say "not heard": a self-muted browser goes silent
  // for aiortc while the other one stays audible, and comes back after unmuting.
  await report.check('self-mute-silences-browser', async () => {
    await a.page.evaluate(() => window.chorusInterop.mute(true));
    await waitFor(
      async () =>
        (await b.page.evaluate(() => window.chorusInterop.messages())).some(
          (m) => m.type === 'muted' && m.user_id === a.user.id && m.muted === true,
        ),
      {
        timeoutMs: kMediaTimeoutMs,
        what: `tone880 to get {"type":"muted","user_id":${a.user.id}}`,
      },
    );
    await waitAiortc(
      (h) => !h.some((t) => near(t.hz, 440)) && hasTone(h, 880, b.user.id),
      'aiortc to stop hearing 440 Hz (muted) while still hearing 880 Hz',
    );
    await a.page.evaluate(() => window.chorusInterop.mute(false));
    await waitAiortc((h) => hasTone(h, 440, a.user.id), 'aiortc to hear 440 Hz again after unmute');
  });

  // docs/api.md: a new join of the same user replaces the old connection (a reloaded tab).
  await report.check('browser-rejoin-replaces-connection', async () => {
    const { oldEvents, oldCloseCode } = await b.page.evaluate(
      ([id, k]) => window.chorusInterop.rejoin(id, k),
      [kStreamId, kSlots],
    );
    if (!oldEvents.some((m) => m.type === 'error' && m.code === 'replaced')) {
      throw new Error(`old socket got ${JSON.stringify(oldEvents)}, no error "replaced"`);
    }
    if (oldCloseCode === null) throw new Error('old socket was not closed within 5 s');
    const aiortcUser = aiortc.lines.find((l) => l.event === 'joined')?.user_id;
    note(b, await waitHears(b, 440, a.user.id));
    note(b, await waitHears(b, 660, aiortcUser));
    await waitAiortc(
      (h) => hasTone(h, 880, b.user.id),
      'aiortc to hear 880 Hz from the rejoined browser',
    );
  });

  await report.check('aiortc-leaves', async () => {
    const joined = aiortc.lines.find((l) => l.event === 'joined');
    aiortc.child.stdin.end(); // the peer sends {"type":"leave"} and exits
    if (!(await waitForExit(aiortc.child, 10_000))) throw new Error('aiortc peer did not exit');
    if (aiortc.child.exitCode !== 0) {
      throw new Error(`aiortc peer exited ${aiortc.child.exitCode}: ${aiortc.stderr.slice(-600)}`);
    }
    await waitFor(
      async () =>
        (await a.page.evaluate(() => window.chorusInterop.messages())).some(
          (m) => m.type === 'member' && m.event === 'left' && m.member?.user_id === joined.user_id,
        ),
      { timeoutMs: kMediaTimeoutMs, what: 'tone440 to get the member "left" event of aiortc' },
    );
  });

  // docs/api.md: "joined" is the reply to "join"; events (slot, member, ...) come after it, when
  // the client knows which mid a slot index is.
  await report.check('rtc-joined-comes-first', async () => {
    const early = [];
    for (const client of clients) {
      const connections = await client.page.evaluate(() => window.chorusInterop.connections());
      connections.forEach((messages, n) => {
        const at = messages.findIndex((m) => m.type === 'joined');
        if (at !== 0) {
          early.push(
            `${client.name} (connection ${n + 1}) got ${JSON.stringify(messages.slice(0, at))}`,
          );
        }
      });
    }
    const joined = aiortc?.lines.find((l) => l.event === 'joined');
    if (joined?.before_joined?.length) {
      early.push(`aiortc got ${JSON.stringify(joined.before_joined)}`);
    }
    if (early.length) throw new Error(`messages before "joined": ${early.join('; ')}`);
  });

  await report.check('no-page-errors', async () => {
    for (const client of clients) {
      const s = await client.page.evaluate(() => window.chorusInterop.status());
      const problems = [...client.pageErrors, ...s.errors];
      if (problems.length) throw new Error(`${client.name}: ${problems.join('; ')}`);
    }
  });
} catch (error) {
  if (error.message !== 'setup failed') report.fail('interop', error);
} finally {
  if (report.failed > 0) {
    if (server) console.log(`--- ${server.logFile} (tail) ---\n${tailOf(server.logFile, 40)}`);
    if (aiortc) console.log(`--- aiortc stderr (tail) ---\n${aiortc.stderr.slice(-1500)}`);
  }
  await cleanup().catch((error) => report.fail('cleanup', error));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
process.exit(report.exitCode);
