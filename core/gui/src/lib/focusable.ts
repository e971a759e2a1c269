// Finding focusable elements, for the dialog focus trap.

const kFocusableSelector = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
].join(',');

/** Returns the elements inside `root` that Tab can reach, in document order. */
export function focusableElements(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(kFocusableSelector)).filter(
    (el) => !el.hasAttribute('hidden') && el.closest('[hidden],[inert]') === null,
  );
}
