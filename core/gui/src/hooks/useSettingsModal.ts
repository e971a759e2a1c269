// Opening and closing the global settings modal from anywhere (header, voice panel…).
import { createContext, useContext } from 'react';

export interface SettingsModalControls {
  isOpen: boolean;
  sectionId: string;
  /** Opens the modal, on the given section when one is named. */
  open: (sectionId?: string) => void;
  close: () => void;
  selectSection: (sectionId: string) => void;
}

export const SettingsModalContext = createContext<SettingsModalControls | null>(null);

/** Returns the settings modal controls; must be used under SettingsModalProvider. */
export function useSettingsModal(): SettingsModalControls {
  const value = useContext(SettingsModalContext);
  if (!value) throw new Error('useSettingsModal must be used inside SettingsModalProvider');
  return value;
}
