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
  detail: '',
  ...extra,
});

describe('describeAuditEntry', () => {
  it('names actor, action and target', () => {
    expect(describeAuditEntry(entry({}))).toBe('hal muted bob');
    expect(describeAuditEntry(entry({ action: 'voice.unkick' }))).toBe('hal lifted the ban on bob');
  });

  it('reads room changes from JSON text, and speak and role details', () => {
    expect(
      describeAuditEntry(
        entry({
          action: 'voice.room',
          target_user_id: null,
          target_name: null,
          detail: '{"mode":"stage","pinned":[3]}',
        }),
      ),
    ).toBe('hal changed the room (mode: stage, pinned: [3])');
    expect(describeAuditEntry(entry({ action: 'voice.speak', detail: '{"allow":true}' }))).toBe(
      'hal made a speaker: bob',
    );
    expect(describeAuditEntry(entry({ action: 'voice.speak', detail: { allow: false } }))).toBe(
      'hal moved to the audience: bob',
    );
    expect(
      describeAuditEntry(entry({ action: 'voice.role', detail: '{"role":"moderator"}' })),
    ).toBe('hal appointed as moderator: bob');
  });

  it('leaves out a target that is the actor, and falls back to ids and the raw action', () => {
    expect(describeAuditEntry(entry({ action: 'voice.join', target_user_id: 2 }))).toBe(
      'hal joined',
    );
    expect(
      describeAuditEntry(entry({ actor_name: null, target_name: null, action: 'voice.new' })),
    ).toBe('User #2 voice.new User #3');
    expect(
      describeAuditEntry(entry({ actor_id: null, actor_name: null, action: 'voice.timeout' })),
    ).toBe('The server timed out bob');
    expect(auditDetail('free text')).toBe('free text');
    expect(auditDetail('{broken')).toBe('{broken');
    expect(auditDetail({})).toBe('');
  });
});
