// State and ARIA props for a tab list (WAI-ARIA "Tabs" pattern, automatic activation).
import { useCallback, useId, useRef, useState, type KeyboardEvent } from 'react';
import { nextTabIndex, type Orientation } from '../lib/tabNavigation';

export interface UseTabsOptions {
  ids: readonly string[];
  initialId?: string;
  orientation?: Orientation;
  label: string;
  /** Called whenever the selected tab changes (for example to mirror it in the URL). */
  onChange?: (id: string) => void;
}

/**
 * Returns the selected tab id, the tabs visited so far (panels stay mounted once visited, so a
 * voice call is not dropped by switching tabs), and props to spread on the list, tabs and panels.
 */
export function useTabs({
  ids,
  initialId,
  orientation = 'horizontal',
  label,
  onChange,
}: UseTabsOptions) {
  const baseId = useId();
  const fallback = ids[0] ?? '';
  const [chosen, setChosen] = useState(initialId && ids.includes(initialId) ? initialId : fallback);
  const selectedId = ids.includes(chosen) ? chosen : fallback;
  const [visited, setVisited] = useState<ReadonlySet<string>>(() => new Set([selectedId]));
  const tabRefs = useRef(new Map<string, HTMLElement>());

  const select = useCallback(
    (id: string) => {
      setChosen(id);
      setVisited((prev) => (prev.has(id) ? prev : new Set(prev).add(id)));
      onChange?.(id);
    },
    [onChange],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    const next = nextTabIndex(event.key, ids.indexOf(selectedId), ids.length, orientation);
    if (next === null) return;
    event.preventDefault();
    const id = ids[next];
    if (id === undefined) return;
    select(id);
    tabRefs.current.get(id)?.focus();
  };

  const tabId = (id: string) => `${baseId}-tab-${id}`;
  const panelId = (id: string) => `${baseId}-panel-${id}`;

  return {
    selectedId,
    select,
    visited: visited.has(selectedId) ? visited : new Set(visited).add(selectedId),
    tabListProps: {
      role: 'tablist' as const,
      'aria-label': label,
      'aria-orientation': orientation,
      onKeyDown,
    },
    getTabProps: (id: string) => ({
      role: 'tab' as const,
      id: tabId(id),
      'aria-selected': id === selectedId,
      'aria-controls': panelId(id),
      tabIndex: id === selectedId ? 0 : -1,
      onClick: () => select(id),
      ref: (el: HTMLElement | null) => {
        if (el) tabRefs.current.set(id, el);
        else tabRefs.current.delete(id);
      },
    }),
    getPanelProps: (id: string) => ({
      role: 'tabpanel' as const,
      id: panelId(id),
      'aria-labelledby': tabId(id),
      hidden: id !== selectedId,
      tabIndex: 0,
    }),
  };
}
