// Room controls on the Voice tab: who sees them, the room settings PATCH, pins, moderators, the
// kick list with Lift and the moderation log.
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakePeerConnection, FakeWebSocket } from '../../lib/voice/testing/fakes';
import { resetVoiceSession } from '../../lib/voice/voiceSession';
import { FakeEventSource, installFakeEventSource } from '../../test/fakeEventSource';
import { kRoom, rosterEntry, sent, setupPanel } from '../../test/voicePanel';

const hal = rosterEntry(1, 'hal', { role: 'host', muted: false });
const ann = rosterEntry(2, 'ann');
const bob = rosterEntry(3, 'bob');
const kHal = { id: 1, username: 'hal', role: 'user' as const };
const kAnnModerator = { id: 2, username: 'ann', role: 'user' as const };
const kAnnMember = kAnnModerator;

const kLists = {
  'GET /api/voice/streams/1/kicks': {
    status: 200,
    body: {
      kicks: [{ user_id: 9, username: 'zed', kicked_by: 1, kicked_at: '2026-12-07T20:30:00Z' }],
    },
  },
  'DELETE /api/voice/streams/1/kicks/9': { status: 200, body: { lifted: true, user_id: 9 } },
  'GET /api/voice/streams/1/audit': {
    status: 200,
    body: {
      entries: [
        {
          id: 7,
          at: '2026-12-07T20:30:00Z',
          actor_id: 1,
          actor_name: 'hal',
          action: 'voice.kick',
          target_user_id: 9,
          target_name: 'zed',
          detail: null,
        },
      ],
    },
  },
  'GET /api/voice/streams/1/moderators': { status: 200, body: { moderators: [] } },
};

// Multi-step UI flows on a shared 2-core machine take longer than Vitest's default 5 s.
const kTestTimeoutMs = 20_000;

beforeEach(() => {
  FakeWebSocket.instances = [];
  FakePeerConnection.instances = [];
  installFakeEventSource();
});

afterEach(() => {
  resetVoiceSession();
  vi.unstubAllGlobals();
});

async function openControls(user: ReturnType<typeof setupPanel>['user']) {
  const toggle = await screen.findByRole('button', { name: 'Room controls' }, { timeout: 5_000 });
  expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await user.click(toggle);
  expect(toggle).toHaveAttribute('aria-expanded', 'true');
  return screen.findByRole('form', { name: 'Room settings' });
}

describe('Room controls', { timeout: kTestTimeoutMs }, () => {
  it('are not offered to ordinary members', async () => {
    setupPanel({ me: kAnnMember, roster: [hal, ann, bob] });
    await screen.findByText('3 people in voice', {}, { timeout: 5_000 });
    expect(screen.queryByRole('button', { name: 'Room controls' })).toBeNull();
  });

  it('the host turns the stage on with a speaker limit; only changed fields are sent', async () => {
    const { user, http } = setupPanel({
      me: kHal,
      roster: [hal, ann, bob],
      routes: {
        ...kLists,
        'PATCH /api/voice/streams/1/room': (body) => ({
          status: 200,
          body: { ...kRoom, ...(body as object) },
        }),
      },
    });
    const form = await openControls(user);
    expect(within(form).getByRole('radio', { name: /Open/ })).toBeChecked();
    await user.click(within(form).getByRole('radio', { name: /Stage/ }));
    const limit = within(form).getByRole('spinbutton', { name: 'Speaker limit' });
    expect(limit).toHaveAccessibleDescription(/0 = no limit/);
    await user.clear(limit);
    await user.type(limit, '2');
    await user.click(within(form).getByRole('button', { name: 'Save room settings' }));
    await waitFor(() =>
      expect(sent(http, 'PATCH', '/api/voice/streams/1/room')[0]?.body).toEqual({
        mode: 'stage',
        max_speakers: 2,
      }),
    );
    expect(await within(form).findByText('Room settings saved.')).toBeInTheDocument();
    // The reply is the room now: the list splits into speakers and audience.
    expect(screen.getByRole('list', { name: 'Speakers' })).toBeInTheDocument();
    expect(within(form).getByRole('radio', { name: /Stage/ })).toBeChecked();
  });

  it('refuses an out-of-range number without sending, and follows room_updated', async () => {
    const { user, http } = setupPanel({ me: kHal, roster: [hal, ann], routes: kLists });
    const form = await openControls(user);
    const members = within(form).getByRole('spinbutton', { name: 'Member limit' });
    await user.clear(members);
    await user.type(members, '0');
    await user.click(within(form).getByRole('button', { name: 'Save room settings' }));
    expect(within(form).getByRole('alert')).toHaveTextContent(
      'Member limit must be a whole number from 1 to 1000.',
    );
    expect(sent(http, 'PATCH', '/api/voice/streams/1/room')).toHaveLength(0);
    act(() =>
      FakeEventSource.instances[0]!.emit('room_updated', {
        room: { ...kRoom, slow_mode_seconds: 45, mode: 'stage' },
      }),
    );
    await waitFor(() =>
      expect(within(form).getByRole('spinbutton', { name: 'Slow mode (seconds)' })).toHaveValue(45),
    );
    expect(within(form).getByRole('radio', { name: /Stage/ })).toBeChecked();
  });

  it('shows the server refusing a change inline', async () => {
    const { user } = setupPanel({
      me: kHal,
      roster: [hal, ann],
      routes: {
        ...kLists,
        'PATCH /api/voice/streams/1/room': {
          status: 403,
          body: { error: { code: 'forbidden', message: 'Only the host may do that.' } },
        },
      },
    });
    const form = await openControls(user);
    await user.click(within(form).getByRole('radio', { name: /Stage/ }));
    await user.click(within(form).getByRole('button', { name: 'Save room settings' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('Only the host may do that.');
  });

  it('pins up to the slot count and appoints moderators (host only)', async () => {
    const { user, http } = setupPanel({
      me: kHal,
      roster: [hal, ann, bob],
      room: { ...kRoom, slots: 1, pinned: [1] },
      routes: {
        ...kLists,
        'PATCH /api/voice/streams/1/room': (body) => ({
          status: 200,
          body: { ...kRoom, slots: 1, ...(body as object) },
        }),
        'POST /api/voice/streams/1/members/3/role': {
          status: 200,
          body: { user_id: 3, role: 'moderator' },
        },
      },
    });
    await openControls(user);
    const people = screen.getByRole('region', { name: 'Pins and moderators' });
    expect(within(people).getByTestId('pin-count')).toHaveTextContent('1 of 1 pinned');
    const pinBob = within(people).getByRole('button', { name: 'Pin bob' });
    expect(pinBob).toHaveAttribute('aria-disabled', 'true');
    await user.click(pinBob);
    expect(sent(http, 'PATCH', '/api/voice/streams/1/room')).toHaveLength(0);
    await user.click(within(people).getByRole('button', { name: 'Unpin hal' }));
    await waitFor(() =>
      expect(sent(http, 'PATCH', '/api/voice/streams/1/room')[0]?.body).toEqual({ pinned: [] }),
    );
    await user.click(await within(people).findByRole('button', { name: 'Pin bob' }));
    await waitFor(() =>
      expect(sent(http, 'PATCH', '/api/voice/streams/1/room')[1]?.body).toEqual({ pinned: [3] }),
    );
    await user.click(within(people).getByRole('button', { name: 'Make bob a moderator' }));
    await waitFor(() =>
      expect(sent(http, 'POST', '/api/voice/streams/1/members/3/role')[0]?.body).toEqual({
        role: 'moderator',
      }),
    );
    expect(within(people).queryByRole('button', { name: /Make hal/ })).toBeNull();
  });

  it('a moderator gets the controls but cannot appoint moderators', async () => {
    const { user } = setupPanel({
      me: kAnnModerator,
      roster: [hal, { ...ann, role: 'moderator' }, bob],
      routes: kLists,
    });
    await openControls(user);
    const people = screen.getByRole('region', { name: 'Pins and moderators' });
    expect(within(people).getByRole('button', { name: 'Pin bob' })).toBeInTheDocument();
    expect(within(people).queryByRole('button', { name: /moderator/ })).toBeNull();
  });

  it('lists kicks with Lift and shows the moderation log', async () => {
    const { user, http } = setupPanel({ me: kHal, roster: [hal, ann], routes: kLists });
    await openControls(user);
    const kicks = screen.getByRole('region', { name: 'Removed people' });
    const lift = await within(kicks).findByRole('button', { name: 'Lift the ban on zed' });
    const log = screen.getByRole('region', { name: 'Moderation log' });
    expect(await within(log).findByText('hal removed zed')).toBeInTheDocument();
    expect(sent(http, 'GET', '/api/voice/streams/1/audit')).toHaveLength(1);
    await user.click(lift);
    await waitFor(() =>
      expect(sent(http, 'DELETE', '/api/voice/streams/1/kicks/9')).toHaveLength(1),
    );
    // Lifting reloads the kick list and the log.
    await waitFor(() => expect(sent(http, 'GET', '/api/voice/streams/1/audit')).toHaveLength(2));
    expect(sent(http, 'GET', '/api/voice/streams/1/kicks').length).toBeGreaterThanOrEqual(2);
  });

  it('works from the keyboard alone', async () => {
    const { user, http } = setupPanel({
      me: kHal,
      roster: [hal, ann],
      routes: {
        ...kLists,
        'PATCH /api/voice/streams/1/room': (body) => ({
          status: 200,
          body: { ...kRoom, ...(body as object) },
        }),
      },
    });
    const toggle = await screen.findByRole('button', { name: 'Room controls' }, { timeout: 5_000 });
    toggle.focus();
    await user.keyboard('{Enter}');
    const form = await screen.findByRole('form', { name: 'Room settings' });
    await user.tab();
    expect(within(form).getByRole('radio', { name: /Open/ })).toHaveFocus();
    // Arrow keys move within the radio group and select, as in a browser.
    await user.keyboard('{ArrowRight}');
    const stage = within(form).getByRole('radio', { name: /Stage/ });
    expect(stage).toHaveFocus();
    expect(stage).toBeChecked();
    await user.tab();
    expect(within(form).getByRole('spinbutton', { name: 'Speaker limit' })).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() =>
      expect(sent(http, 'PATCH', '/api/voice/streams/1/room')[0]?.body).toEqual({ mode: 'stage' }),
    );
  });
});
