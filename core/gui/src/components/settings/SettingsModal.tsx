import { useSettingsModal } from '../../hooks/useSettingsModal';
import { TabView } from '../tabs/TabView';
import { Dialog } from '../ui/Dialog';
import { settingsSections } from './settingsSections';

const kNoProps = {} as Record<string, never>;

/** The global settings modal: a vertical list of sections beside the chosen section. */
export function SettingsModal() {
  const { isOpen, close, sectionId, selectSection } = useSettingsModal();
  return (
    <Dialog open={isOpen} onClose={close} title="Settings" className="settings-dialog">
      <TabView
        tabs={settingsSections}
        panelProps={kNoProps}
        label="Settings sections"
        orientation="vertical"
        initialId={sectionId}
        onChange={selectSection}
      />
    </Dialog>
  );
}
