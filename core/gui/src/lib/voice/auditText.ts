// One line of the moderation log in words ("hal muted bob"). Pure.
import type { AuditEntry } from './roomApi';

const kVerbs: Record<string, string> = {
  'voice.mute': 'muted',
  'voice.unmute': 'unmuted',
  'voice.kick': 'removed',
  'voice.unkick': 'lifted the ban on',
  'voice.role': 'changed the role of',
  'voice.speak': 'changed the stage place of',
  'voice.room': 'changed the room',
  'voice.timeout': 'timed out',
};

/** Returns the details as "key: value" pairs, or '' when there are none. */
export function auditDetail(detail: unknown): string {
  if (detail === null || detail === undefined || detail === '') return '';
  if (typeof detail !== 'object') return String(detail);
  return Object.entries(detail as Record<string, unknown>)
    .map(
      ([key, value]) =>
        `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
    )
    .join(', ');
}

/** Returns the sentence for one audit entry: actor, what they did, to whom, and the details. */
export function describeAuditEntry(entry: AuditEntry): string {
  const actor =
    entry.actor_name ?? (entry.actor_id !== null ? `User #${entry.actor_id}` : 'The server');
  const verb = kVerbs[entry.action] ?? entry.action;
  const target =
    entry.target_name ?? (entry.target_user_id !== null ? `User #${entry.target_user_id}` : '');
  const detail = auditDetail(entry.detail);
  return `${actor} ${verb}${target ? ` ${target}` : ''}${detail ? ` (${detail})` : ''}`;
}
