// The Voice tab on a stage: speakers and audience, raising a hand, the moderators' hand queue,
// announcements, unmute refusals and the slow-mode countdown.
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakePeerConnection, FakeWebSocket, lastSocket } from '../../lib/voice/testing/fakes';
import { resetVoiceSession } from '../../lib/voice/voiceSession';
import { FakeEventSource, installFakeEventSource } from '../../test/fakeEventSource';
import { joinCall, kRoom, rosterEntry, sent, setupPanel } from '../../test/voicePanel';

const kStage = { ...kRoom, mode: 'stage' as const };
const hal = rosterEntry(1, 'hal', { role: 'host', muted: false });
const ann = rosterEntry(2, 'ann', { speaker: false });
const bob = rosterEntry(3, 'bob', { speaker: false, hand_raised_at: '2026-12-07T21:00:05Z' });
const cy = rosterEntry(4, 'cy', { speaker: false, hand_raised_at: '2026-12-07T21:00:01Z' });
const dee = rosterEntry(5, 'dee', { speaker: true, muted: false });
const kAnnUser = { id: 2, username: 'ann', role: 'user' as const };
const kHalUser = { id: 1, username: 'hal', role: 'user' as const };

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

const events = () => FakeEventSource.instances[0]!;
const annMembers = [
  { user_id: 1, username: 'hal', muted: false },
  { user_id: 2, username: 'ann', muted: true },
];

describe('Stage view for a listener', { timeout: kTestTimeoutMs }, () => {
  it('splits speakers and audience, raises a hand, and announces the approval', async () => {
    const { user, http } = setupPanel({
      me: kAnnUser,
      roster: [hal, ann],
      room: kStage,
      routes: {
        'POST /api/voice/streams/1/hand': {
          status: 200,
          body: { member: { ...ann, hand_raised_at: 't' } },
        },
      },
    });
    const speakers = await screen.findByRole('list', { name: 'Speakers' }, { timeout: 5_000 });
    expect(within(speakers).getByText('hal')).toBeInTheDocument();
    expect(
      within(screen.getByRole('list', { name: 'Audience' })).getByText('ann'),
    ).toBeInTheDocument();
    await joinCall(user, 2, annMembers);

    const unmute = screen.getByRole('button', { name: 'Unmute' });
    expect(unmute).toHaveAttribute('aria-disabled', 'true');
    expect(unmute).toHaveAccessibleDescription(/You are in the audience/);
    const sentBefore = lastSocket().sent.length;
    await user.click(unmute);
    expect(lastSocket().sent).toHaveLength(sentBefore);

    // From the keyboard: Tab from Unmute reaches Raise hand, Enter presses it.
    unmute.focus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Raise hand' })).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() =>
      expect(sent(http, 'POST', '/api/voice/streams/1/hand')[0]?.body).toEqual({ raised: true }),
    );
    act(() =>
      events().emit('member_updated', {
        member: { ...ann, hand_raised_at: '2026-12-07T21:00:09Z' },
      }),
    );
    expect(screen.getByRole('button', { name: 'Lower hand' })).toBeInTheDocument();
    expect(screen.getByText('Hand raised')).toBeInTheDocument();

    act(() => events().emit('member_updated', { member: { ...ann, speaker: true } }));
    expect(screen.getByTestId('stage-announcement')).toHaveTextContent(
      'Your hand was approved — you can unmute now',
    );
    expect(screen.getByTestId('stage-announcement')).toHaveAttribute('aria-live', 'polite');
    expect(screen.queryByRole('button', { name: /hand/ })).not.toBeInTheDocument();
    const unmuteNow = screen.getByRole('button', { name: 'Unmute' });
    expect(unmuteNow).not.toHaveAttribute('aria-disabled');
    await user.click(unmuteNow);
    expect(lastSocket().sent.at(-1)).toEqual({ type: 'mute', muted: false });
    expect(
      within(screen.getByRole('list', { name: 'Speakers' })).getByText('ann'),
    ).toBeInTheDocument();

    act(() => events().emit('member_updated', { member: { ...ann, speaker: false } }));
    expect(screen.getByTestId('stage-announcement')).toHaveTextContent(
      'You were moved to the audience',
    );
    // A listener never transmits, even before the server's mute reaches the call.
    await waitFor(() => expect(lastSocket().sent.at(-1)).toEqual({ type: 'mute', muted: true }));
    expect(screen.getByRole('button', { name: 'Unmute' })).toHaveAttribute('aria-disabled', 'true');
  });

  it('says clearly why the server refused an unmute', async () => {
    const { user } = setupPanel({
      me: kAnnUser,
      roster: [hal, { ...ann, speaker: true }],
      room: kStage,
    });
    await joinCall(user, 2, annMembers);
    await user.click(screen.getByRole('button', { name: 'Unmute' }));
    act(() => lastSocket().receive({ type: 'error', code: 'speaker_limit', message: 'full' }));
    expect(screen.getByTestId('unmute-refused')).toHaveTextContent(
      'Could not unmute: the room has reached its speaker limit.',
    );
    expect(screen.getByRole('button', { name: 'Unmute' })).toHaveAttribute('aria-pressed', 'true');
    act(() => lastSocket().receive({ type: 'error', code: 'not_a_speaker', message: '' }));
    expect(screen.getByTestId('unmute-refused')).toHaveTextContent('you are in the audience');
  });
});

describe('Slow mode', { timeout: kTestTimeoutMs }, () => {
  it('counts down on the Unmute button after an unmute and keeps it focusable', async () => {
    const { user, clock } = setupPanel({
      me: kAnnUser,
      roster: [hal, { ...ann, speaker: true }],
      room: { ...kRoom, slow_mode_seconds: 30 },
    });
    await joinCall(user, 2, annMembers);
    await user.click(screen.getByRole('button', { name: 'Unmute' }));
    await user.click(screen.getByRole('button', { name: 'Mute' }));
    const unmute = screen.getByRole('button', { name: 'Unmute' });
    await waitFor(() => expect(screen.getByTestId('unmute-countdown')).toHaveTextContent('30 s'));
    expect(unmute).toHaveAttribute('aria-disabled', 'true');
    expect(unmute).toHaveAccessibleDescription('Slow mode: you can unmute in 30 s');
    expect(unmute).toHaveFocus();
    const count = lastSocket().sent.length;
    await user.click(unmute);
    expect(lastSocket().sent).toHaveLength(count);
    clock.now += 29_500;
    await waitFor(() => expect(screen.getByTestId('unmute-countdown')).toHaveTextContent('1 s'), {
      timeout: 3_000,
    });
    clock.now += 500;
    await waitFor(() => expect(screen.queryByTestId('unmute-countdown')).not.toBeInTheDocument(), {
      timeout: 3_000,
    });
    await user.click(screen.getByRole('button', { name: 'Unmute' }));
    expect(lastSocket().sent.at(-1)).toEqual({ type: 'mute', muted: false });
  });

  it('counts down from retry_after_ms of a slow_mode refusal', async () => {
    const { user } = setupPanel({
      me: kAnnUser,
      roster: [hal, { ...ann, speaker: true }],
      room: { ...kRoom, slow_mode_seconds: 0 },
    });
    await joinCall(user, 2, annMembers);
    await user.click(screen.getByRole('button', { name: 'Unmute' }));
    act(() =>
      lastSocket().receive({
        type: 'error',
        code: 'slow_mode',
        message: '',
        retry_after_ms: 7_000,
      }),
    );
    expect(screen.getByTestId('unmute-refused')).toHaveTextContent(
      'Could not unmute: slow mode is on. You can try again in 7 s.',
    );
    await waitFor(() => expect(screen.getByTestId('unmute-countdown')).toHaveTextContent('7 s'));
  });
});

describe('Stage view for the host', { timeout: kTestTimeoutMs }, () => {
  it('shows the hand queue oldest first with Approve and Dismiss, Move to audience and pins', async () => {
    const { user, http } = setupPanel({
      me: kHalUser,
      roster: [hal, bob, cy, dee],
      room: { ...kStage, pinned: [5] },
      routes: {
        'POST /api/voice/streams/1/members/3/speak': { status: 200, body: { member: bob } },
        'POST /api/voice/streams/1/members/4/speak': { status: 200, body: { member: cy } },
        'POST /api/voice/streams/1/members/5/speak': { status: 200, body: { member: dee } },
      },
    });
    const queue = await screen.findByRole(
      'list',
      { name: 'Raised hands, oldest first' },
      { timeout: 5_000 },
    );
    const items = within(queue).getAllByTestId('hand-queue-item');
    expect(items.map((li) => li.querySelector('.hand-queue__name')!.textContent)).toEqual([
      'cy',
      'bob',
    ]);
    await user.click(within(queue).getByRole('button', { name: 'Approve bob' }));
    await user.click(within(queue).getByRole('button', { name: 'Dismiss cy' }));
    await waitFor(() => {
      expect(sent(http, 'POST', '/api/voice/streams/1/members/3/speak')[0]?.body).toEqual({
        allow: true,
      });
      expect(sent(http, 'POST', '/api/voice/streams/1/members/4/speak')[0]?.body).toEqual({
        allow: false,
      });
    });
    const speakers = screen.getByRole('list', { name: 'Speakers' });
    const deeRow = within(speakers).getByText('dee').closest('li')!;
    expect(deeRow).toHaveTextContent('Pinned');
    expect(within(speakers).getByText('hal').closest('li')).not.toHaveTextContent('Pinned');
    expect(within(speakers).queryByRole('button', { name: 'Move hal to audience' })).toBeNull();
    await user.click(within(deeRow).getByRole('button', { name: 'Move dee to audience' }));
    await waitFor(() =>
      expect(sent(http, 'POST', '/api/voice/streams/1/members/5/speak')[0]?.body).toEqual({
        allow: false,
      }),
    );
    // The queue follows the roster: an approved hand leaves it.
    act(() =>
      events().emit('member_updated', { member: { ...bob, speaker: true, hand_raised_at: null } }),
    );
    expect(within(queue).getAllByTestId('hand-queue-item')).toHaveLength(1);
  });

  it('shows no hand queue to listeners and none in an open room', async () => {
    setupPanel({ me: kAnnUser, roster: [hal, ann, bob], room: kStage });
    await screen.findByRole('list', { name: 'Audience' }, { timeout: 5_000 });
    expect(screen.queryByRole('list', { name: 'Raised hands, oldest first' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Room controls' })).toBeNull();
  });
});
