import { describe, expect, it } from 'vitest';
import { auditDetail, describeAuditEntry } from './auditText';
import type { AuditEntry } from './roomApi';

const entry = (extra: Partial<AuditEntry>): AuditEntry => ({
  id: 1,
  at: '2026-12-07T21:00:00Z',
  actor_id: 2,
  actor_name: 'hal',
  action: 'voice.mute',
  target_user_id: 3,
  target_name: 'bob',
  detail: null,
  ...extra,
});

describe('describeAuditEntry', () => {
  it('names actor, action and target', () => {
    expect(describeAuditEntry(entry({}))).toBe('hal muted bob');
    expect(describeAuditEntry(entry({ action: 'voice.unkick' }))).toBe('hal lifted the ban on bob');
  });

  it('adds room changes as details and falls back to ids and the raw action', () => {
    expect(
      describeAuditEntry(
        entry({
          action: 'voice.room',
          target_user_id: null,
          target_name: null,
          detail: { mode: 'stage', pinned: [3] },
        }),
      ),
    ).toBe('hal changed the room (mode: stage, pinned: [3])');
    expect(
      describeAuditEntry(entry({ actor_name: null, target_name: null, action: 'voice.new' })),
    ).toBe('User #2 voice.new User #3');
    expect(auditDetail('x')).toBe('x');
    expect(auditDetail({})).toBe('');
  });
});
