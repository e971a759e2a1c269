// Which ICE path a page's voice connection took, from getStats (the selected candidate pair).
import { waitFor } from './wait.mjs';

/**
 * Init script (context.addInitScript): keeps every RTCPeerConnection the page makes in
 * window.__chorusPeerConnections (test only).
 */
export function recordPeerConnections() {
  const Original = window.RTCPeerConnection;
  window.__chorusPeerConnections = [];
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      window.__chorusPeerConnections.push(this);
    }
  };
}

/**
 * The selected candidate pair of the page's open peer connection (needs recordPeerConnections):
 * { state, connection, bytesSent, bytesReceived, local, remote } with each candidate's
 * { protocol, type, tcpType, relayProtocol, url, address, port }, or null.
 */
export async function selectedPath(page) {
  return page.evaluate(async () => {
    const pc = (window.__chorusPeerConnections ?? [])
      .filter((p) => p.connectionState !== 'closed')
      .at(-1);
    if (!pc) return null;
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((r) => {
      if (r.type === 'transport' && r.selectedCandidatePairId) {
        pair = stats.get(r.selectedCandidatePairId);
      }
    });
    if (!pair) return null;
    const candidate = (id) => {
      const c = stats.get(id) ?? {};
      return {
        protocol: c.protocol,
        type: c.candidateType,
        tcpType: c.tcpType,
        relayProtocol: c.relayProtocol,
        url: c.url,
        address: c.address,
        port: c.port,
      };
    };
    return {
      state: pair.state,
      connection: pc.connectionState,
      bytesSent: pair.bytesSent,
      bytesReceived: pair.bytesReceived,
      local: candidate(pair.localCandidateId),
      remote: candidate(pair.remoteCandidateId),
    };
  });
}

/** Waits until the page's selected pair has succeeded and received bytes; returns it. */
export async function waitSelectedPath(page, { timeoutMs = 10_000, what = 'selected pair' } = {}) {
  return waitFor(
    async () => {
      const p = await selectedPath(page);
      return p?.state === 'succeeded' && p.bytesReceived > 0 ? p : null;
    },
    { timeoutMs, what },
  );
}
