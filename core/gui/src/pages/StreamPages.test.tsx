import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFakeFetch, kAnn, kDemoStream, kUnauthenticated } from '../test/fakeFetch';
import { renderApp } from '../test/renderApp';

afterEach(() => vi.unstubAllGlobals());

const kQuietStream = {
  ...kDemoStream,
  id: 2,
  title: 'Quiet stream',
  voice_enabled: false,
  voice: { enabled: false, participants: 0 },
};

describe('StreamListPage', () => {
  it('lists streams with their voice badge and links to each', async () => {
    installFakeFetch({
      'GET /api/auth/me': { status: 200, body: { user: kAnn } },
      'GET /api/streams': { status: 200, body: { streams: [kDemoStream, kQuietStream] } },
    });
    renderApp('/');
    const list = await screen.findByRole('list', { name: 'Streams' });
    const cards = within(list).getAllByRole('link');
    expect(cards).toHaveLength(2);
    expect(cards[0]).toHaveAttribute('href', '/streams/1');
    expect(cards[0]).toHaveTextContent('Demo stream');
    expect(cards[0]).toHaveTextContent('3 in voice');
    expect(cards[1]).toHaveTextContent('Voice off');
  });

  it('shows a failing list request with the server message and a retry', async () => {
    installFakeFetch({
      'GET /api/auth/me': { status: 200, body: { user: kAnn } },
      'GET /api/streams': {
        status: 503,
        body: { error: { code: 'unavailable', message: 'Database unavailable.' } },
      },
    });
    renderApp('/');
    expect(await screen.findByRole('alert')).toHaveTextContent('Database unavailable.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('goes to /login when the session has expired', async () => {
    installFakeFetch({
      'GET /api/auth/me': { status: 200, body: { user: kAnn } },
      'GET /api/streams': kUnauthenticated,
    });
    renderApp('/');
    expect(await screen.findByRole('heading', { name: /sign in/i })).toBeInTheDocument();
  });
});

describe('StreamPage', () => {
  it('shows the player, title, and an Info tab with description and host', async () => {
    installFakeFetch({
      'GET /api/auth/me': { status: 200, body: { user: kAnn } },
      'GET /api/streams/1': { status: 200, body: kDemoStream },
    });
    renderApp('/streams/1');
    expect(await screen.findByRole('heading', { name: 'Demo stream' })).toBeInTheDocument();
    expect(screen.getByLabelText('Stream player: Demo stream').tagName).toBe('VIDEO');
    expect(screen.getByRole('tab', { name: 'Info' })).toHaveAttribute('aria-selected', 'true');
    const info = screen.getByRole('tabpanel', { name: 'Info' });
    expect(info).toHaveTextContent('A test pattern with a tone.');
    expect(info).toHaveTextContent('User #1');
    expect(document.title).toBe('Demo stream · Chorus');
  });

  it('shows 404 not_found from the server', async () => {
    installFakeFetch({
      'GET /api/auth/me': { status: 200, body: { user: kAnn } },
      'GET /api/streams/99': {
        status: 404,
        body: { error: { code: 'not_found', message: 'Stream not found.' } },
      },
    });
    renderApp('/streams/99');
    expect(await screen.findByRole('alert')).toHaveTextContent('Stream not found.');
  });

  it('mirrors the chosen tab in the address', async () => {
    installFakeFetch({
      'GET /api/auth/me': { status: 200, body: { user: kAnn } },
      'GET /api/streams/1': { status: 200, body: kDemoStream },
    });
    renderApp('/streams/1');
    await userEvent.setup().click(await screen.findByRole('tab', { name: 'Info' }));
    expect(screen.getByTestId('location')).toHaveTextContent('/streams/1?tab=info');
  });
});
