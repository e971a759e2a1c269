import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  FakePeerConnection,
  FakeWebSocket,
  ManualClock,
  fakeDeps,
  kJoined,
  lastPeer,
  lastSocket,
} from '../../lib/voice/testing/fakes';
import { kDefaultVoiceSettings } from '../../lib/voice/settings';
import { resetVoiceSession, setVoiceDepsFactory } from '../../lib/voice/voiceSession';
import { FakeEventSource, installFakeEventSource } from '../../test/fakeEventSource';
import { installFakeFetch, kAnn, kDemoStream } from '../../test/fakeFetch';
import { renderApp } from '../../test/renderApp';

const kRoster = [
  { user_id: 3, username: 'bob', role: 'member', muted: false, joined_at: 't' },
  { user_id: 1, username: 'hal', role: 'host', muted: true, muted_by_host: false, joined_at: 't' },
];

let clock: ManualClock;

beforeEach(() => {
  clock = new ManualClock();
  FakeWebSocket.instances = [];
  FakePeerConnection.instances = [];
  installFakeEventSource();
});

afterEach(() => {
  resetVoiceSession();
  vi.unstubAllGlobals();
});

function setup(stream = kDemoStream, micError?: string, me: typeof kAnn = kAnn) {
  const fake = fakeDeps(clock, micError ? { micError } : {});
  setVoiceDepsFactory(() => fake.deps);
  const http = installFakeFetch({
    'GET /api/auth/me': { status: 200, body: { user: me } },
    'POST /api/voice/streams/1/members/3/mute': { status: 200, body: { member: kRoster[0] } },
    [`GET /api/streams/${stream.id}`]: { status: 200, body: stream },
    'GET /api/settings/voice': { status: 200, body: kDefaultVoiceSettings },
    [`GET /api/voice/streams/${stream.id}/roster`]: { status: 200, body: kRoster },
  });
  renderApp(`/streams/${stream.id}?tab=voice`);
  return { ...fake, http, user: userEvent.setup() };
}

/** Clicks Join and plays the server until `joined`; then ICE connects unless `media` is false. */
async function joinCall(user: ReturnType<typeof userEvent.setup>, media = true, attempt = 1) {
  const join = await screen.findByRole('button', { name: 'Join voice' }, { timeout: 5_000 });
  await waitFor(() => expect(join).toBeEnabled());
  await user.click(join);
  await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(attempt));
  await act(async () => {
    lastSocket().open();
    lastSocket().receive(kJoined);
  });
  await screen.findByRole('group', { name: 'Voice controls' });
  if (media) act(() => lastPeer().setConnectionState('connected'));
}

describe('VoiceChatPanel', () => {
  it('shows who is in voice before joining, from the event stream, with host and muted marks', async () => {
    setup();
    expect(
      await screen.findByText('2 people in voice', {}, { timeout: 5_000 }),
    ).toBeInTheDocument();
    const list = screen.getByRole('list', { name: 'People in voice' });
    const hal = within(list).getByText('hal').closest('li')!;
    expect(hal).toHaveTextContent('Host');
    expect(hal).toHaveTextContent('Muted');
    act(() =>
      FakeEventSource.instances[0]!.emit('member_joined', {
        member: { user_id: 9, username: 'zed', role: 'member', muted: false, joined_at: 't' },
      }),
    );
    expect(screen.getByText('3 people in voice')).toBeInTheDocument();
    expect(FakeEventSource.instances[0]!.url).toBe('/api/voice/streams/1/events');
  });

  it('joins, lists live participants, mutes with a visible state and shows speaking in text', async () => {
    const { user, api } = setup();
    await joinCall(user);
    expect(api.join).toHaveBeenCalledWith(1);
    const panel = screen.getByRole('region', { name: 'Voice chat' });
    expect(within(panel).getAllByText('Connected').length).toBeGreaterThan(0);
    expect(within(panel).getByText('(you)')).toBeInTheDocument();
    const mute = screen.getByRole('button', { name: 'Mute' });
    expect(mute).toHaveAttribute('aria-pressed', 'false');
    await user.click(mute);
    expect(screen.getByRole('button', { name: 'Unmute' })).toHaveAttribute('aria-pressed', 'true');
    expect(lastSocket().sent.at(-1)).toEqual({ type: 'mute', muted: true });
    // The HUD over the player shows the same chips.
    const hud = document.querySelector('.player__hud') as HTMLElement;
    expect(within(hud).getByText('Muted')).toBeInTheDocument();
    act(() => lastSocket().receive({ type: 'speakers', speakers: [{ user_id: 3, level: 0.8 }] }));
    const bob = within(panel).getByText('bob').closest('li')!;
    expect(bob).toHaveTextContent('Speaking');
    expect(within(bob).getByLabelText('Volume for bob')).toHaveValue('100');
  });

  it('says "Connecting audio" until ICE connects, then Connected with the quality', async () => {
    const { user } = setup();
    await joinCall(user, false);
    const panel = screen.getByRole('region', { name: 'Voice chat' });
    expect(within(panel).getByRole('status')).toHaveTextContent('Connecting audio…');
    expect(within(panel).queryByText(/Quality/)).not.toBeInTheDocument();
    expect(within(panel).queryByText('Connected')).not.toBeInTheDocument();
    act(() => lastPeer().setConnectionState('connected'));
    expect(within(panel).getByRole('status')).toHaveTextContent('Connected');
    expect(within(panel).getByTestId('voice-quality')).toHaveTextContent('Quality');
  });

  it('ICE failure: "cannot reach the voice server" with a Retry that joins again', async () => {
    const { user, api } = setup();
    await joinCall(user, false);
    act(() => lastPeer().setConnectionState('failed'));
    const alert = await screen.findByTestId('voice-unreachable');
    expect(alert).toHaveTextContent('Cannot reach the voice server (UDP and TCP blocked?)');
    const panel = screen.getByRole('region', { name: 'Voice chat' });
    expect(within(panel).queryByText(/Quality/)).not.toBeInTheDocument();
    expect(within(panel).queryByText('Connected')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Join voice' })).not.toBeInTheDocument();
    await waitFor(() => expect(api.leave).toHaveBeenCalledWith(1));
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(2));
    await act(async () => {
      lastSocket().open();
      lastSocket().receive(kJoined);
    });
    act(() => lastPeer().setConnectionState('connected'));
    expect(within(panel).getByRole('status')).toHaveTextContent('Connected');
    expect(screen.queryByTestId('voice-unreachable')).not.toBeInTheDocument();
    expect(api.join).toHaveBeenCalledTimes(2);
  });

  it('over plain http off localhost, says voice needs HTTPS and names the address to use', async () => {
    vi.stubGlobal('isSecureContext', false);
    const { api } = setup();
    const notice = await screen.findByTestId('voice-insecure', {}, { timeout: 5_000 });
    expect(notice).toHaveTextContent('Voice chat needs HTTPS');
    expect(notice).toHaveTextContent(window.location.host);
    const link = within(notice).getByRole('link');
    // The same page over https (the test router keeps window.location at its start URL).
    expect(link.getAttribute('href')).toBe(
      `https://${window.location.host}${window.location.pathname}`,
    );
    expect(screen.queryByRole('button', { name: /Join/ })).not.toBeInTheDocument();
    expect(api.join).not.toHaveBeenCalled();
  });

  it('explains a blocked microphone and joins to listen', async () => {
    const { user } = setup(kDemoStream, 'NotAllowedError');
    await joinCall(user);
    const notice = screen.getByTestId('mic-notice');
    expect(notice).toHaveTextContent('Microphone access is blocked');
    expect(notice).toHaveTextContent('You are listening only');
    expect(screen.getByRole('button', { name: 'Mute' })).toBeDisabled();
  });

  it('shows the reconnect banner when the connection drops, and Leave returns to Join', async () => {
    const { user, api } = setup();
    await joinCall(user);
    act(() => lastSocket().drop());
    expect(await screen.findByTestId('voice-reconnect-banner')).toHaveTextContent(
      'reconnecting (attempt 1)',
    );
    await user.click(screen.getByRole('button', { name: 'Leave voice' }));
    expect(await screen.findByRole('button', { name: 'Join voice' })).toBeInTheDocument();
    expect(api.leave).toHaveBeenCalledWith(1);
  });

  it('says why when voice is off for the stream', async () => {
    setup({ ...kDemoStream, voice_enabled: false, voice: { enabled: false, participants: 0 } });
    expect(
      await screen.findByText(/Voice chat is turned off/, {}, { timeout: 5_000 }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Join voice' })).not.toBeInTheDocument();
  });

  it('push-to-talk: holding the key shows Talking and opens the mic', async () => {
    const { user, api, mics } = setup();
    api.join.mockResolvedValue({
      ...(await api.join(1)),
      settings: { ...kDefaultVoiceSettings, push_to_talk: true, ptt_key: 'KeyT' },
    });
    await joinCall(user);
    expect(screen.getByTestId('ptt-state')).toHaveTextContent('Hold T to talk');
    await user.keyboard('{t>}');
    expect(screen.getByTestId('ptt-state')).toHaveTextContent('Talking');
    expect(mics[0]!.track.enabled).toBe(true);
    await user.keyboard('{/t}');
    expect(screen.getByTestId('ptt-state')).toHaveTextContent('Hold T to talk');
    expect(mics[0]!.track.enabled).toBe(false);
  });

  it('lets the stream host mute another participant', async () => {
    const { user, http } = setup(kDemoStream, undefined, { id: 1, username: 'hal', role: 'user' });
    await user.click(await screen.findByRole('button', { name: 'Mute bob' }, { timeout: 5_000 }));
    await waitFor(() =>
      expect(
        http.requests.some(
          (r) => r.method === 'POST' && r.path === '/api/voice/streams/1/members/3/mute',
        ),
      ).toBe(true),
    );
  });

  it('offers no moderation to ordinary members', async () => {
    setup();
    await screen.findByText('2 people in voice', {}, { timeout: 5_000 });
    expect(screen.queryByRole('button', { name: 'Mute bob' })).not.toBeInTheDocument();
  });
});
