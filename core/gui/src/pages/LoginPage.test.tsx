import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { vi } from 'vitest';
import { installFakeFetch, kAnn, kDemoStream, kUnauthenticated } from '../test/fakeFetch';
import { renderApp } from '../test/renderApp';

afterEach(() => vi.unstubAllGlobals());

async function fillAndSubmit(username: string, password: string, button: RegExp) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Username'), username);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: button }));
}

describe('LoginPage', () => {
  it('sends an unauthenticated visitor to /login with the page to return to', async () => {
    installFakeFetch({ 'GET /api/auth/me': kUnauthenticated });
    renderApp('/streams/1');
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent('/login?next=%2Fstreams%2F1'),
    );
  });

  it('shows the server error inline and stays on the page', async () => {
    const fake = installFakeFetch({
      'GET /api/auth/me': kUnauthenticated,
      'POST /api/auth/login': {
        status: 401,
        body: { error: { code: 'invalid_credentials', message: 'Wrong username or password.' } },
      },
    });
    renderApp('/login');
    await fillAndSubmit('ann', 'badpassword', /sign in/i);
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
    const login = fake.requests.find((r) => r.path === '/api/auth/login');
    expect(login?.body).toEqual({ username: 'ann', password: 'badpassword' });
    expect(login?.headers['Content-Type']).toBe('application/json');
  });

  it('shows how long to wait when throttled', async () => {
    installFakeFetch({
      'GET /api/auth/me': kUnauthenticated,
      'POST /api/auth/login': {
        status: 429,
        body: { error: { code: 'too_many_attempts', message: 'Too many attempts' } },
        headers: { 'Retry-After': '30' },
      },
    });
    renderApp('/login');
    await fillAndSubmit('ann', 'badpassword', /sign in/i);
    expect(await screen.findByRole('alert')).toHaveTextContent('try again in 30 s');
  });

  it('signs in and returns to the page asked for', async () => {
    installFakeFetch({
      'GET /api/auth/me': kUnauthenticated,
      'POST /api/auth/login': { status: 200, body: { user: kAnn } },
      'GET /api/streams/1': { status: 200, body: kDemoStream },
    });
    renderApp('/login?next=%2Fstreams%2F1');
    await fillAndSubmit('ann', 'goodpassword', /sign in/i);
    expect(await screen.findByRole('heading', { name: 'Demo stream' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/streams/1');
    expect(screen.getByTestId('signed-in-user')).toHaveTextContent('ann');
  });
});

describe('RegisterPage', () => {
  it('shows username_taken from the server', async () => {
    installFakeFetch({
      'GET /api/auth/me': kUnauthenticated,
      'POST /api/auth/register': {
        status: 409,
        body: { error: { code: 'username_taken', message: 'That username is taken.' } },
      },
    });
    renderApp('/register');
    await fillAndSubmit('ann', 'password123', /create account/i);
    expect(await screen.findByRole('alert')).toHaveTextContent('That username is taken.');
  });
});
