// One line of the moderation log in words ("hal muted bob"). Pure. `detail` is free text or a
// JSON object in text (docs/api.md "GET …/audit").
import type { AuditEntry } from './roomApi';

const kVerbs: Record<string, string> = {
  'voice.join': 'joined',
  'voice.leave': 'left',
  'voice.timeout': 'timed out',
  'voice.mute': 'muted',
  'voice.unmute': 'unmuted',
  'voice.kick': 'removed',
  'voice.unkick': 'lifted the ban on',
  'voice.role': 'changed the role of',
  'voice.speak': 'changed the stage place of',
  'voice.room': 'changed the room',
};

/** Returns the detail as an object when it is one (or JSON text of one), else null. */
function detailObject(detail: unknown): Record<string, unknown> | null {
  let value = detail;
  if (typeof detail === 'string' && detail.trim().startsWith('{')) {
    try {
      value = JSON.parse(detail);
    } catch {
      return null;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** Returns the details as "key: value" pairs (or the free text), '' when there are none. */
export function auditDetail(detail: unknown): string {
  if (detail === null || detail === undefined || detail === '') return '';
  const object = detailObject(detail);
  if (!object) return String(detail);
  return Object.entries(object)
    .map(([key, v]) => `${key}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

/** Returns the verb for an entry, reading speak and role details ("made … a speaker"). */
function verbOf(entry: AuditEntry, detail: Record<string, unknown> | null): string {
  if (entry.action === 'voice.speak' && detail && typeof detail.allow === 'boolean')
    return detail.allow ? 'made a speaker:' : 'moved to the audience:';
  if (entry.action === 'voice.role' && (detail?.role === 'moderator' || detail?.role === 'member'))
    return detail.role === 'moderator' ? 'appointed as moderator:' : 'removed as moderator:';
  return kVerbs[entry.action] ?? entry.action;
}

/** Returns the sentence for one audit entry: actor, what they did, to whom, and the details. */
export function describeAuditEntry(entry: AuditEntry): string {
  const actor =
    entry.actor_name ?? (entry.actor_id !== null ? `User #${entry.actor_id}` : 'The server');
  const object = detailObject(entry.detail);
  const verb = verbOf(entry, object);
  const self = entry.target_user_id !== null && entry.target_user_id === entry.actor_id;
  const target = self
    ? ''
    : (entry.target_name ?? (entry.target_user_id !== null ? `User #${entry.target_user_id}` : ''));
  const read = verb !== (kVerbs[entry.action] ?? entry.action);
  const detail = read ? '' : auditDetail(entry.detail);
  return `${actor} ${verb}${target ? ` ${target}` : ''}${detail ? ` (${detail})` : ''}`;
}
