// Shapes of the voice REST API, the SSE events and the /rtc messages (docs/api.md, "Voice").

export interface VoiceSettings {
  auto_join: boolean;
  mute_on_join: boolean;
  input_device_id: string;
  input_gain: number;
  push_to_talk: boolean;
  ptt_key: string;
  noise_suppression: boolean;
  echo_cancellation: boolean;
  auto_gain_control: boolean;
  output_volume: number;
}

export type VoiceRole = 'host' | 'moderator' | 'member';

/** One seat in a voice channel as the REST roster and the SSE events describe it. */
export interface RosterEntry {
  user_id: number;
  username: string;
  role: VoiceRole;
  muted: boolean;
  muted_by_host?: boolean;
  joined_at: string;
  /** Always true in open rooms; in stage rooms true for hosts, moderators and approved members. */
  speaker?: boolean;
  /** When the member raised a hand (ISO-8601), or null. */
  hand_raised_at?: string | null;
}

export type RoomMode = 'open' | 'stage';

export interface VoiceRoom {
  room_id: string;
  stream_id: number;
  max_members: number;
  /** Members unmuted at once; 0 = no limit. */
  max_speakers: number;
  member_count: number;
  host_id: number | null;
  voice_enabled?: boolean;
  mode?: RoomMode;
  /** 0 = off; else a member may unmute or raise a hand once per this many seconds. */
  slow_mode_seconds?: number;
  /** Pinned user ids, at most `slots`. */
  pinned?: number[];
  /** The SFU's audio slot count (the pin limit); read-only. */
  slots?: number;
}

/** The fields PATCH …/room accepts. */
export type RoomPatch = Partial<
  Pick<VoiceRoom, 'max_members' | 'max_speakers' | 'mode' | 'slow_mode_seconds' | 'pinned'>
>;

/** POST /api/voice/streams/{id}/join. */
export interface JoinResponse {
  room_id: string;
  sfu_url: string;
  token: string;
  expires_at: string;
  roster: RosterEntry[];
  settings: VoiceSettings;
  heartbeat_interval_ms?: number;
  member?: RosterEntry;
  room?: VoiceRoom;
  /** TURN relays with time-limited credentials (empty when the server has none). */
  ice_servers?: RTCIceServer[];
}

/** GET …/state. */
export interface VoiceState {
  room: VoiceRoom;
  roster: RosterEntry[];
  version: number;
}

export type MutedBy = 'self' | 'host' | null;

/** A participant as /rtc reports it. */
export interface RtcMember {
  user_id: number;
  username: string;
  muted: boolean;
  muted_by: MutedBy;
  speaking: boolean;
  role?: VoiceRole;
  speaker?: boolean;
  hand_raised_at?: string | null;
}

export interface RtcSlot {
  index: number;
  mid: string;
  ssrc?: number;
}

export interface RtcStats {
  rtt_ms: number | null;
  loss_up: number;
  loss_down: number;
  jitter_ms: number;
  packets_in?: number;
  packets_out?: number;
  bytes_in?: number;
  bytes_out?: number;
}

/** Messages the server sends on /rtc (rtc-protocol contract). */
export type RtcServerMessage =
  | {
      type: 'joined';
      answer: string;
      participant_id: string;
      user_id: number;
      slots: RtcSlot[];
      members: RtcMember[];
    }
  | { type: 'speakers'; speakers: { user_id: number; level: number }[] }
  | { type: 'slot'; index: number; user_id: number | null }
  | { type: 'member'; event: 'joined' | 'left' | 'updated'; member: RtcMember }
  | { type: 'muted'; user_id: number; muted: boolean; by: 'self' | 'host' }
  | ({ type: 'stats' } & RtcStats)
  | { type: 'pong'; t: number; server_ms?: number }
  | { type: 'kicked'; reason: string }
  | { type: 'closed'; reason: string }
  | { type: 'error'; code: string; message: string; retry_after_ms?: number };

/** Messages the client sends on /rtc. */
export type RtcClientMessage =
  | { type: 'join'; token: string; offer: string }
  | { type: 'mute'; muted: boolean }
  | { type: 'ping'; t: number }
  | { type: 'leave' };
