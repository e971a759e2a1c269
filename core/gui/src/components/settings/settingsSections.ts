// The sections of the settings modal, in order. Extension point: the voice GUI adds
//   { id: 'voice', label: 'Voice', icon: Mic, Panel: lazy(() => import('../voice/VoiceSettings')) }
import { UserRound } from 'lucide-react';
import type { TabDefinition } from '../tabs/TabView';
import { AccountSection } from './AccountSection';

export type SettingsSection = TabDefinition<Record<string, never>>;

export const settingsSections: readonly SettingsSection[] = [
  { id: 'account', label: 'Account', icon: UserRound, Panel: AccountSection },
];
