// Decoding /rtc server messages without ever throwing: a frame that is not valid JSON or lacks
// the fields its type needs yields null and is dropped by the caller.
import type { MutedBy, RtcMember, RtcServerMessage, RtcSlot } from './types';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const numberOr = (v: unknown, fallback: number) => (isNumber(v) ? v : fallback);

/** Returns the member object, or null when its required fields are missing. */
export function parseMember(v: unknown): RtcMember | null {
  if (!isObject(v) || !isNumber(v.user_id)) return null;
  const mutedBy: MutedBy = v.muted_by === 'self' || v.muted_by === 'host' ? v.muted_by : null;
  return {
    user_id: v.user_id,
    username: isString(v.username) ? v.username : `User #${v.user_id}`,
    muted: v.muted === true,
    muted_by: v.muted === true ? (mutedBy ?? 'self') : null,
    speaking: v.speaking === true,
    role: v.role === 'host' || v.role === 'moderator' || v.role === 'member' ? v.role : undefined,
    speaker: typeof v.speaker === 'boolean' ? v.speaker : undefined,
    hand_raised_at: isString(v.hand_raised_at) ? v.hand_raised_at : undefined,
  };
}

function parseSlots(v: unknown): RtcSlot[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((s) =>
    isObject(s) && isNumber(s.index) && (isString(s.mid) || isNumber(s.mid))
      ? [{ index: s.index, mid: String(s.mid), ssrc: isNumber(s.ssrc) ? s.ssrc : undefined }]
      : [],
  );
}

/** Decodes one text frame; returns null for anything malformed or of an unknown type. */
export function parseServerMessage(text: unknown): RtcServerMessage | null {
  if (!isString(text)) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(v) || !isString(v.type)) return null;
  switch (v.type) {
    case 'joined':
      if (!isString(v.answer) || !isNumber(v.user_id)) return null;
      return {
        type: 'joined',
        answer: v.answer,
        participant_id: isString(v.participant_id) ? v.participant_id : '',
        user_id: v.user_id,
        slots: parseSlots(v.slots),
        members: Array.isArray(v.members)
          ? v.members.map(parseMember).filter((m): m is RtcMember => m !== null)
          : [],
      };
    case 'speakers':
      if (!Array.isArray(v.speakers)) return null;
      return {
        type: 'speakers',
        speakers: v.speakers.flatMap((s) =>
          isObject(s) && isNumber(s.user_id)
            ? [{ user_id: s.user_id, level: numberOr(s.level, 0) }]
            : [],
        ),
      };
    case 'slot':
      if (!isNumber(v.index) || !(v.user_id === null || isNumber(v.user_id))) return null;
      return { type: 'slot', index: v.index, user_id: v.user_id };
    case 'member': {
      const member = parseMember(v.member);
      if (!member || (v.event !== 'joined' && v.event !== 'left' && v.event !== 'updated'))
        return null;
      return { type: 'member', event: v.event, member };
    }
    case 'muted':
      if (!isNumber(v.user_id) || typeof v.muted !== 'boolean') return null;
      return {
        type: 'muted',
        user_id: v.user_id,
        muted: v.muted,
        by: v.by === 'host' ? 'host' : 'self',
      };
    case 'stats':
      return {
        type: 'stats',
        rtt_ms: isNumber(v.rtt_ms) ? v.rtt_ms : null,
        loss_up: numberOr(v.loss_up, 0),
        loss_down: numberOr(v.loss_down, 0),
        jitter_ms: numberOr(v.jitter_ms, 0),
        packets_in: numberOr(v.packets_in, 0),
        packets_out: numberOr(v.packets_out, 0),
        bytes_in: numberOr(v.bytes_in, 0),
        bytes_out: numberOr(v.bytes_out, 0),
      };
    case 'pong':
      if (!isNumber(v.t)) return null;
      return { type: 'pong', t: v.t, server_ms: isNumber(v.server_ms) ? v.server_ms : undefined };
    case 'kicked':
      return { type: 'kicked', reason: isString(v.reason) ? v.reason : '' };
    case 'closed':
      return { type: 'closed', reason: isString(v.reason) ? v.reason : '' };
    case 'error':
      return {
        type: 'error',
        code: isString(v.code) ? v.code : 'error',
        message: isString(v.message) ? v.message : '',
        ...(isNumber(v.retry_after_ms) ? { retry_after_ms: v.retry_after_ms } : {}),
      };
    default:
      return null;
  }
}
