// What the voice panel and the player HUD say about the call, from the client's snapshot.
import type { VoiceSnapshot } from './voiceState';

const kPhaseText = {
  idle: 'Not connected',
  joining: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  ended: 'Disconnected',
};

const kMediaText = {
  connecting: 'Connecting audio…',
  interrupted: 'Audio interrupted…',
};

/** True when the call is signalled and its media path (ICE/DTLS) is up. */
export function isAudioLive(state: Pick<VoiceSnapshot, 'phase' | 'media'>): boolean {
  return state.phase === 'connected' && state.media === 'connected';
}

/**
 * Returns the status line: the phase, except that a signalled call whose audio is not through
 * yet (or lost for a moment) says so instead of "Connected".
 */
export function statusText(state: Pick<VoiceSnapshot, 'phase' | 'media'>): string {
  if (state.phase === 'connected' && state.media !== 'connected') return kMediaText[state.media];
  return kPhaseText[state.phase];
}
