// Prints a real Chromium SDP offer for Chorus's profile: one sendrecv audio transceiver carrying a
// (fake) microphone track plus 4 recvonly audio transceivers. Only createOffer() runs: no
// setLocalDescription, so no ICE gathering and no network traffic.
// With --with-video a recvonly video transceiver is added last (Chorus rejects it: port 0).
// Usage: (cd /tmp/cap && npm i playwright-core) then
//   NODE_PATH=/tmp/cap/node_modules node capture-chromium.cjs > tests/data/sdp/chromium-offer.sdp
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

(async () => {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-cap-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: false,
    ignoreDefaultArgs: ['--headless'],
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
  try {
    const page = await context.newPage();
    // getUserMedia needs a secure context; localhost is one. The route answers in-process, so
    // nothing listens on or connects to the port.
    await page.route('http://localhost:9/', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<html><body>capture</body></html>' }));
    await page.goto('http://localhost:9/');
    const withVideo = process.argv.includes('--with-video');
    const sdp = await page.evaluate(async (withVideo) => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const [track] = stream.getAudioTracks();
      pc.addTransceiver(track, { direction: 'sendrecv', streams: [stream] });
      for (let i = 0; i < 4; ++i) pc.addTransceiver('audio', { direction: 'recvonly' });
      if (withVideo) pc.addTransceiver('video', { direction: 'recvonly' });
      const offer = await pc.createOffer();
      pc.close();
      track.stop();
      return offer.sdp;
    }, withVideo);
    process.stdout.write(sdp);
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
})().catch((e) => { console.error(e); process.exit(1); });
