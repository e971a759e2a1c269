// The state a VoiceClient exposes to React, and the dependencies it is built from.
import type { OpenMic } from './micPipeline';
import type { VoiceParticipant } from './participants';
import type { ConnectionQuality } from './quality';
import type { RemoteAudio } from './remoteAudio';
import type { CreatePeerConnection, CreateWebSocket, MediaState } from './RtcConnection';
import { kDefaultVoiceSettings } from './settings';
import type { MutedBy, VoiceSettings } from './types';
import type { UnmuteRefusalCode } from './unmuteRules';
import type { VoiceApi } from './voiceApi';

export type VoicePhase = 'idle' | 'joining' | 'connected' | 'reconnecting' | 'ended';
/** Why a call ended that a Retry may fix: 'unreachable' = the media path never connected. */
export type VoiceFailure = 'unreachable';
/** The error text of an 'unreachable' failure (the panel and docs/deploy.md quote it). */
export const kUnreachableMessage = 'Cannot reach the voice server (UDP and TCP blocked?)';
export type MicState = 'unknown' | 'prompt' | 'granted' | 'denied' | 'no-device' | 'busy' | 'error';

export interface VoiceStats {
  rttMs: number | null;
  lossUp: number;
  lossDown: number;
  jitterMs: number | null;
  quality: ConnectionQuality;
}

/** The server refused an unmute (the user stays muted). */
export interface UnmuteRefusal {
  code: UnmuteRefusalCode;
  message: string;
  /** Until when the server said to wait (ms, the deps' clock), or null. */
  until: number | null;
}

export interface VoiceSnapshot {
  streamId: number;
  phase: VoicePhase;
  /** Why the last join or reconnect attempt failed, or why the call ended. */
  error: string | null;
  /** Set when the call ended because of a failure the user may retry (with phase 'ended'). */
  failure: VoiceFailure | null;
  /** The media path of the current connection (meaningful while phase is 'connected'). */
  media: MediaState;
  mic: MicState;
  listenOnly: boolean;
  selfUserId: number | null;
  muted: boolean;
  mutedBy: MutedBy;
  deafened: boolean;
  pushToTalk: boolean;
  pttPressed: boolean;
  /** True while the microphone track is live (not muted, PTT held when PTT is on). */
  transmitting: boolean;
  participants: readonly VoiceParticipant[];
  /** Which user each receive slot carries. */
  slots: readonly (number | null)[];
  /** Per-participant volume in percent (0–100), by user id. */
  volumes: Readonly<Record<number, number>>;
  stats: VoiceStats;
  reconnectAttempt: number;
  settings: VoiceSettings;
  /** When the user last unmuted (ms, the deps' clock), for the slow-mode countdown. */
  lastUnmuteAt: number | null;
  /** The last refused unmute, until the next mute toggle. */
  refusal: UnmuteRefusal | null;
}

export interface VoiceClientDeps {
  api: VoiceApi;
  openMic: OpenMic;
  createPeerConnection: CreatePeerConnection;
  createWebSocket: CreateWebSocket;
  createRemoteAudio: () => RemoteAudio;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (id: unknown) => void;
  now: () => number;
  random: () => number;
}

export const kNoStats: VoiceStats = {
  rttMs: null,
  lossUp: 0,
  lossDown: 0,
  jitterMs: null,
  quality: 'lost',
};

/** The state of a client that has not joined yet. */
export function initialSnapshot(streamId: number): VoiceSnapshot {
  return {
    streamId,
    phase: 'idle',
    error: null,
    failure: null,
    media: 'connecting',
    mic: 'unknown',
    listenOnly: false,
    selfUserId: null,
    muted: false,
    mutedBy: null,
    deafened: false,
    pushToTalk: false,
    pttPressed: false,
    transmitting: false,
    participants: [],
    slots: [],
    volumes: {},
    stats: kNoStats,
    reconnectAttempt: 0,
    settings: kDefaultVoiceSettings,
    lastUnmuteAt: null,
    refusal: null,
  };
}
