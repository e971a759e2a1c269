import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFakeFetch, kAnn } from '../../test/fakeFetch';
import { renderApp } from '../../test/renderApp';

afterEach(() => vi.unstubAllGlobals());

async function openSettings() {
  installFakeFetch({
    'GET /api/auth/me': { status: 200, body: { user: kAnn } },
    'GET /api/streams': { status: 200, body: { streams: [] } },
    'POST /api/auth/logout': {
      status: 500,
      body: { error: { code: 'internal', message: 'Logout failed on the server.' } },
    },
  });
  renderApp('/');
  const user = userEvent.setup();
  const button = await screen.findByRole('button', { name: 'Settings' });
  await user.click(button);
  return { user, button, dialog: screen.getByRole('dialog', { name: 'Settings' }) };
}

describe('SettingsModal', () => {
  it('opens as a labelled modal dialog with the Account section', async () => {
    const { dialog } = await openSettings();
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(screen.getByRole('tablist', { name: 'Settings sections' })).toHaveAttribute(
      'aria-orientation',
      'vertical',
    );
    expect(screen.getByRole('tab', { name: 'Account' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tabpanel', { name: 'Account' })).toHaveTextContent('ann');
  });

  it('closes on Escape and gives focus back to the Settings button', async () => {
    const { user, button, dialog } = await openSettings();
    expect(dialog).toContainElement(document.activeElement as HTMLElement);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(button).toHaveFocus();
  });

  it('keeps Tab focus inside the dialog', async () => {
    const { user, dialog } = await openSettings();
    for (let i = 0; i < 8; i++) {
      await user.tab();
      expect(dialog).toContainElement(document.activeElement as HTMLElement);
    }
    await user.tab({ shift: true });
    expect(dialog).toContainElement(document.activeElement as HTMLElement);
  });

  it('shows a server error from Sign out instead of swallowing it', async () => {
    const { user } = await openSettings();
    const panel = screen.getByRole('tabpanel', { name: 'Account' });
    await user.click(
      screen.getAllByRole('button', { name: 'Sign out' }).find((b) => panel.contains(b))!,
    );
    await waitFor(() =>
      expect(
        screen.getAllByRole('alert').some((a) => /Logout failed/.test(a.textContent ?? '')),
      ).toBe(true),
    );
  });
});
