// Keyboard navigation for a tab list (WAI-ARIA Authoring Practices, "Tabs" pattern).

export type Orientation = 'horizontal' | 'vertical';

/**
 * Returns the index a key press moves the selection to among `count` tabs, or null when the key
 * does not navigate. Arrows wrap around; Home and End jump to the first and last tab.
 */
export function nextTabIndex(
  key: string,
  current: number,
  count: number,
  orientation: Orientation = 'horizontal',
): number | null {
  if (count <= 0) return null;
  const previousKey = orientation === 'horizontal' ? 'ArrowLeft' : 'ArrowUp';
  const nextKey = orientation === 'horizontal' ? 'ArrowRight' : 'ArrowDown';
  switch (key) {
    case previousKey:
      return (current - 1 + count) % count;
    case nextKey:
      return (current + 1) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
