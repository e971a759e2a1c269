import { describe, expect, it } from 'vitest';
import { parseServerMessage } from './rtcMessages';

describe('parseServerMessage', () => {
  it('decodes joined with slots and members', () => {
    const m = parseServerMessage(
      JSON.stringify({
        type: 'joined',
        answer: 'v=0',
        participant_id: 'x',
        user_id: 4,
        slots: [{ index: 0, mid: '1', ssrc: 5 }, { index: 'bad' }],
        members: [
          { user_id: 4, username: 'ann', muted: true, muted_by: 'host', speaking: false },
          { nope: 1 },
        ],
      }),
    );
    expect(m).toEqual({
      type: 'joined',
      answer: 'v=0',
      participant_id: 'x',
      user_id: 4,
      slots: [{ index: 0, mid: '1', ssrc: 5 }],
      members: [{ user_id: 4, username: 'ann', muted: true, muted_by: 'host', speaking: false }],
    });
  });
  it.each([
    '',
    'nope',
    '[]',
    '{"type":7}',
    '{"type":"slot","index":0}',
    '{"type":"joined"}',
    '{"type":"zzz"}',
    42,
  ])('drops %j', (frame) => expect(parseServerMessage(frame)).toBeNull());
  it('decodes stats with a null rtt and slot with a null user', () => {
    expect(
      parseServerMessage(
        '{"type":"stats","rtt_ms":null,"loss_up":0.1,"loss_down":0,"jitter_ms":3}',
      ),
    ).toMatchObject({
      type: 'stats',
      rtt_ms: null,
      loss_up: 0.1,
    });
    expect(parseServerMessage('{"type":"slot","index":2,"user_id":null}')).toEqual({
      type: 'slot',
      index: 2,
      user_id: null,
    });
  });
  it('decodes stage fields of a member and retry_after_ms of an error', () => {
    expect(
      parseServerMessage(
        JSON.stringify({
          type: 'member',
          event: 'updated',
          member: {
            user_id: 5,
            username: 'cy',
            muted: true,
            muted_by: 'self',
            speaking: false,
            role: 'member',
            speaker: false,
            hand_raised_at: '2026-12-07T21:00:00Z',
          },
        }),
      ),
    ).toMatchObject({
      member: { role: 'member', speaker: false, hand_raised_at: '2026-12-07T21:00:00Z' },
    });
    expect(
      parseServerMessage(
        '{"type":"error","code":"slow_mode","message":"wait","retry_after_ms":4200}',
      ),
    ).toEqual({ type: 'error', code: 'slow_mode', message: 'wait', retry_after_ms: 4200 });
    expect(parseServerMessage('{"type":"error","code":"speaker_limit"}')).toEqual({
      type: 'error',
      code: 'speaker_limit',
      message: '',
    });
  });
});
