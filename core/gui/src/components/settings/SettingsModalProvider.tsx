import { useMemo, useState, type ReactNode } from 'react';
import { SettingsModalContext, type SettingsModalControls } from '../../hooks/useSettingsModal';
import { settingsSections } from './settingsSections';

/** Holds whether the settings modal is open and on which section. */
export function SettingsModalProvider({ children }: { children: ReactNode }) {
  const [isOpen, setOpen] = useState(false);
  const [sectionId, setSectionId] = useState(settingsSections[0]?.id ?? '');
  const value = useMemo<SettingsModalControls>(
    () => ({
      isOpen,
      sectionId,
      open: (id) => {
        if (id) setSectionId(id);
        setOpen(true);
      },
      close: () => setOpen(false),
      selectSection: setSectionId,
    }),
    [isOpen, sectionId],
  );
  return <SettingsModalContext.Provider value={value}>{children}</SettingsModalContext.Provider>;
}
