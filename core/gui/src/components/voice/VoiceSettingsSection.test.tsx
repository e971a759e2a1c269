import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { kDefaultVoiceSettings } from '../../lib/voice/settings';
import { resetVoiceSession } from '../../lib/voice/voiceSession';
import { FakeEventSource, installFakeEventSource } from '../../test/fakeEventSource';
import { installFakeFetch, kAnn, kDemoStream, type Route } from '../../test/fakeFetch';
import { renderApp } from '../../test/renderApp';

beforeEach(() => installFakeEventSource());
afterEach(() => {
  resetVoiceSession();
  vi.unstubAllGlobals();
});

async function openVoiceSettings(put: Route) {
  let stored = { ...kDefaultVoiceSettings };
  const http = installFakeFetch({
    'GET /api/auth/me': { status: 200, body: { user: kAnn } },
    'GET /api/streams/1': { status: 200, body: kDemoStream },
    'GET /api/voice/streams/1/roster': { status: 200, body: [] },
    'GET /api/settings/voice': () => ({ status: 200, body: stored }),
    'PUT /api/settings/voice': (body) => {
      const reply = typeof put === 'function' ? put(body) : put;
      if (reply.status === 200) stored = { ...stored, ...(body as object) };
      return reply.status === 200 ? { status: 200, body: stored } : reply;
    },
  });
  renderApp('/streams/1?tab=voice');
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: 'Settings' }));
  const dialog = screen.getByRole('dialog', { name: 'Settings' });
  await user.click(within(dialog).getByRole('tab', { name: 'Voice' }));
  await screen.findByLabelText('Noise suppression', {}, { timeout: 5_000 });
  return { user, http };
}

describe('VoiceSettingsSection', () => {
  it('loads settings when opened and saves a change with a PUT of that field only', async () => {
    const { user, http } = await openVoiceSettings({ status: 200 });
    expect(http.requests.some((r) => r.method === 'GET' && r.path === '/api/settings/voice')).toBe(
      true,
    );
    const box = screen.getByLabelText('Noise suppression');
    expect(box).toBeChecked();
    await user.click(box);
    expect(box).not.toBeChecked();
    await waitFor(() =>
      expect(http.requests.find((r) => r.method === 'PUT')).toMatchObject({
        body: { noise_suppression: false },
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    expect(screen.getByLabelText('Microphone level')).toHaveAttribute('role', 'meter');
  });

  it('rolls back and shows the error when the server refuses', async () => {
    const { user } = await openVoiceSettings({
      status: 429,
      body: { error: { code: 'rate_limited', message: 'Too many changes.' } },
    });
    const box = screen.getByLabelText('Mute when joining');
    await user.click(box);
    expect(await screen.findByTestId('settings-save-error')).toHaveTextContent('Too many changes.');
    expect(box).not.toBeChecked();
  });

  it('captures a push-to-talk key', async () => {
    const { user, http } = await openVoiceSettings({ status: 200 });
    await user.click(screen.getByRole('button', { name: /Push-to-talk key: Not set/ }));
    await user.keyboard('v');
    await waitFor(() =>
      expect(http.requests.find((r) => r.method === 'PUT')?.body).toEqual({ ptt_key: 'KeyV' }),
    );
    expect(await screen.findByRole('button', { name: /Push-to-talk key: V/ })).toBeInTheDocument();
  });

  it('applies settings changed in another session live (settings_updated)', async () => {
    await openVoiceSettings({ status: 200 });
    const source = FakeEventSource.instances.find((s) => s.url.endsWith('/events'))!;
    act(() =>
      source.emit('settings_updated', {
        settings: { ...kDefaultVoiceSettings, echo_cancellation: false },
      }),
    );
    await waitFor(() => expect(screen.getByLabelText('Echo cancellation')).not.toBeChecked());
  });
});
