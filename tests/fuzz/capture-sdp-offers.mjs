// Captures real Chromium SDP offers for the FuzzSdp seed corpus, shaped as Chorus's GUI makes
// them (one sendrecv transceiver, with or without a mic track, + K recvonly) — shapes that
// tests/data/sdp lacks. (In such a namespace headless Chromium gathers no candidates for a page
// without media permission, so these offers carry none.) Run inside a private
// network namespace (../shared/TESTING.md), e.g.:
//   ip netns add cap; ip -n cap link set lo up
//   ip -n cap link add vt0 type veth peer name vt1; ip -n cap addr add 10.78.0.1/24 dev vt0
//   ip -n cap link set vt0 up; ip -n cap link set vt1 up
//   ip netns exec cap node tests/fuzz/capture-sdp-offers.mjs tests/fuzz/corpus/FuzzSdp
//   ip netns del cap
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { launchChromium } from '../e2e/lib/browser.mjs';

const outDir = process.argv[2] ?? '.';

// Runs in the page: the offer after ICE gathering, with a WebAudio track as the mic when `mic`.
async function makeOffer({ mic, slots }) {
  const pc = new RTCPeerConnection({ iceServers: [] });
  let track = 'audio';
  const streams = [];
  if (mic) {
    const ctx = new AudioContext();
    const dest = ctx.createMediaStreamDestination();
    const osc = ctx.createOscillator();
    osc.connect(dest);
    osc.start();
    track = dest.stream.getAudioTracks()[0];
    streams.push(dest.stream);
  }
  pc.addTransceiver(track, { direction: 'sendrecv', streams });
  for (let i = 0; i < slots; i++) pc.addTransceiver('audio', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState !== 'complete') {
    await new Promise((resolve) => {
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
      setTimeout(resolve, 5000);
    });
  }
  const sdp = pc.localDescription.sdp;
  pc.close();
  return sdp;
}

const chrome = await launchChromium();
try {
  const page = await chrome.browser.newPage();
  const shapes = [
    { name: 'chromium-nomic-k1-offer.sdp', mic: false, slots: 1 },
  ];
  for (const shape of shapes) {
    const sdp = await page.evaluate(makeOffer, shape);
    writeFileSync(join(outDir, shape.name), sdp);
    console.log(`${shape.name}: ${sdp.length} bytes`);
  }
} finally {
  await chrome.close();
}
