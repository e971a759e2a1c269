// The app's one voice call: a user is in at most one voice channel, whichever page shows it.
// Creating the client for another stream leaves the previous channel. Page hide leaves with a
// keepalive request; sign-out leaves before the session ends.
import { onBeforeSignOut } from '../signOutHooks';
import { openBrowserMic } from './micPipeline';
import { createDomRemoteAudio } from './remoteAudio';
import { VoiceClient, type VoiceClientDeps } from './VoiceClient';
import { httpVoiceApi } from './voiceApi';

/** The real browser dependencies of a VoiceClient. */
export function browserVoiceDeps(): VoiceClientDeps {
  return {
    api: httpVoiceApi,
    openMic: openBrowserMic,
    createPeerConnection: (config) => new RTCPeerConnection(config),
    createWebSocket: (url) => new WebSocket(url),
    createRemoteAudio: () => createDomRemoteAudio(),
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (id) => window.clearTimeout(id as number),
    now: () => Date.now(),
    random: Math.random,
  };
}

let active: VoiceClient | null = null;
const changeListeners = new Set<() => void>();
let unhookSignOut: (() => void) | null = null;
let depsFactory: () => VoiceClientDeps = browserVoiceDeps;

const onPageHide = () => active?.leaveOnPageHide();

/** Replaces the dependency factory (component tests inject fakes). */
export function setVoiceDepsFactory(factory: () => VoiceClientDeps): void {
  depsFactory = factory;
}

/** Returns the client of the current call, or null. */
export function activeVoiceClient(): VoiceClient | null {
  return active;
}

/** Returns the client for `streamId`, creating it (and leaving any other channel) if needed. */
export function voiceClientFor(streamId: number): VoiceClient {
  if (active?.getSnapshot().streamId === streamId) return active;
  const previous = active;
  if (previous) void previous.leave().then(() => previous.dispose());
  active = new VoiceClient(streamId, depsFactory());
  if (!unhookSignOut) {
    unhookSignOut = onBeforeSignOut(async () => {
      await active?.leave();
    });
    window.addEventListener('pagehide', onPageHide);
  }
  changeListeners.forEach((l) => l());
  return active;
}

/** Calls `listener` whenever the active client changes; returns the unsubscribe function. */
export function subscribeActiveVoice(listener: () => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

/** Drops the active client (tests). */
export function resetVoiceSession(): void {
  active?.dispose();
  active = null;
  unhookSignOut?.();
  unhookSignOut = null;
  window.removeEventListener('pagehide', onPageHide);
  changeListeners.forEach((l) => l());
}
