// Shows that Chromium accepts Chorus's answer: the page offers 1 sendrecv (fake mic) + 4 recvonly
// audio transceivers (optionally + 1 video), our sdp-answer tool answers, and the page reports
// setRemoteDescription's outcome, each transceiver's mid/currentDirection and the remote tracks
// (one per slot, with the slot's msid stream). Prints JSON; exit 1 when a check fails.
// Run inside a test network namespace (setLocalDescription gathers candidates; see TESTING.md):
//   ip netns exec NS env NODE_PATH=/tmp/cap/node_modules node check-answer-chromium.cjs \
//       /tmp/sdp-answer 10.78.0.1 [--with-video]
const { chromium } = require('playwright-core');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

(async () => {
  const [tool, announceIp] = process.argv.slice(2);
  const withVideo = process.argv.includes('--with-video');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-check-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: false,
    ignoreDefaultArgs: ['--headless'],
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
  let failed = false;
  try {
    const page = await context.newPage();
    await page.route('http://localhost:9/', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<html><body>check</body></html>' }));
    await page.goto('http://localhost:9/');
    const offer = await page.evaluate(async (withVideo) => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      window.pc = pc;
      window.remoteTracks = [];
      pc.ontrack = (e) => window.remoteTracks.push({
        mid: e.transceiver.mid, track: e.track.id, streams: e.streams.map((s) => s.id) });
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendrecv', streams: [stream] });
      for (let i = 0; i < 4; ++i) pc.addTransceiver('audio', { direction: 'recvonly' });
      if (withVideo) pc.addTransceiver('video', { direction: 'recvonly' });
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      return offer.sdp;
    }, withVideo);
    const answer = execFileSync(tool, [announceIp, '40000'], { input: offer }).toString();
    const result = await page.evaluate(async (sdp) => {
      try {
        await window.pc.setRemoteDescription({ type: 'answer', sdp });
      } catch (e) {
        return { error: String(e) };
      }
      const transceivers = window.pc.getTransceivers().map((t) => ({
        mid: t.mid, kind: t.receiver.track.kind, currentDirection: t.currentDirection }));
      const out = { transceivers, remoteTracks: window.remoteTracks };
      window.pc.close();
      return out;
    }, answer);
    console.log(JSON.stringify(result, null, 1));
    const t = result.transceivers || [];
    const expect = (cond, what) => { if (!cond) { console.error('FAIL: ' + what); failed = true; } };
    expect(!result.error, 'setRemoteDescription succeeded');
    expect(t[0] && t[0].currentDirection === 'sendonly', 'mic transceiver is sendonly');
    for (let i = 1; i <= 4; ++i) {
      expect(t[i] && t[i].currentDirection === 'recvonly', `slot transceiver ${i} is recvonly`);
    }
    // A rejected (port 0) section stops its transceiver; Chromium then drops it from the list.
    if (withVideo) expect(!t[5] || t[5].currentDirection === 'stopped', 'video rejected');
    expect(t.length === 5 || (withVideo && t.length === 6), 'transceiver count');
    const streams = (result.remoteTracks || []).map((r) => r.streams[0]).sort();
    expect(JSON.stringify(streams) ===
           JSON.stringify(['chorus-slot-0', 'chorus-slot-1', 'chorus-slot-2', 'chorus-slot-3']),
           'one remote track per slot stream');
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
