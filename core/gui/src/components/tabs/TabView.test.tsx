import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { lazy } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { TabView, type TabDefinition } from './TabView';

interface PanelProps {
  name: string;
}

function makeTabs(onMount: (id: string) => void): TabDefinition<PanelProps>[] {
  const panel = (id: string) =>
    function Panel({ name }: PanelProps) {
      onMount(id);
      return <p>{`${id} panel for ${name}`}</p>;
    };
  let resolveLazy: (() => void) | undefined;
  const lazyReady = new Promise<void>((r) => (resolveLazy = r));
  const LazyPanel = lazy(async () => {
    await lazyReady;
    return { default: panel('voice') };
  });
  setTimeout(() => resolveLazy?.(), 0);
  return [
    { id: 'info', label: 'Info', Panel: panel('info') },
    { id: 'chat', label: 'Chat', Panel: panel('chat') },
    { id: 'voice', label: 'Voice', Panel: LazyPanel },
  ];
}

describe('TabView', () => {
  it('has tablist/tab/tabpanel roles wired together', () => {
    render(<TabView tabs={makeTabs(() => {})} panelProps={{ name: 'x' }} label="Stream" />);
    expect(screen.getByRole('tablist', { name: 'Stream' })).toBeInTheDocument();
    const info = screen.getByRole('tab', { name: 'Info' });
    expect(info).toHaveAttribute('aria-selected', 'true');
    expect(info).toHaveAttribute('tabindex', '0');
    expect(screen.getByRole('tab', { name: 'Chat' })).toHaveAttribute('tabindex', '-1');
    const panel = screen.getByRole('tabpanel', { name: 'Info' });
    expect(info).toHaveAttribute('aria-controls', panel.id);
    expect(panel).toHaveTextContent('info panel for x');
  });

  it('moves with arrow keys, Home and End, focusing and selecting the tab', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(
      <TabView
        tabs={makeTabs(() => {})}
        panelProps={{ name: 'x' }}
        label="Stream"
        onChange={onChange}
      />,
    );
    await user.click(screen.getByRole('tab', { name: 'Info' }));
    await user.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Chat' })).toHaveFocus();
    expect(screen.getByRole('tab', { name: 'Chat' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tabpanel', { name: 'Chat' })).toHaveTextContent('chat panel');
    await user.keyboard('{ArrowLeft}{ArrowLeft}');
    expect(screen.getByRole('tab', { name: 'Voice' })).toHaveFocus();
    expect(await screen.findByText('voice panel for x')).toBeInTheDocument();
    await user.keyboard('{Home}');
    expect(screen.getByRole('tab', { name: 'Info' })).toHaveFocus();
    await user.keyboard('{End}');
    expect(screen.getByRole('tab', { name: 'Voice' })).toHaveAttribute('aria-selected', 'true');
    expect(onChange.mock.calls.map((c) => c[0])).toEqual([
      'info',
      'chat',
      'info',
      'voice',
      'info',
      'voice',
    ]);
  });

  it('keeps a visited panel mounted (hidden) when switching away', async () => {
    const user = userEvent.setup();
    render(<TabView tabs={makeTabs(() => {})} panelProps={{ name: 'x' }} label="S" />);
    expect(screen.queryByText(/chat panel/)).toBeNull();
    await user.click(screen.getByRole('tab', { name: 'Chat' }));
    await user.click(screen.getByRole('tab', { name: 'Info' }));
    const chatPanel = screen.getByText('chat panel for x').closest('[role="tabpanel"]');
    expect(chatPanel).not.toBeVisible();
    expect(chatPanel).toHaveAttribute('hidden');
  });

  it('starts on the requested tab', () => {
    render(
      <TabView tabs={makeTabs(() => {})} panelProps={{ name: 'x' }} label="S" initialId="chat" />,
    );
    expect(screen.getByRole('tab', { name: 'Chat' })).toHaveAttribute('aria-selected', 'true');
  });
});
