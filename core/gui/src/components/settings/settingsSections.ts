// The sections of the settings modal, in order.
import { Mic, UserRound } from 'lucide-react';
import { lazy } from 'react';
import type { TabDefinition } from '../tabs/TabView';
import { AccountSection } from './AccountSection';

export type SettingsSection = TabDefinition<Record<string, never>>;

const VoiceSettingsSection = lazy(() => import('../voice/VoiceSettingsSection'));

export const settingsSections: readonly SettingsSection[] = [
  { id: 'account', label: 'Account', icon: UserRound, Panel: AccountSection },
  { id: 'voice', label: 'Voice', icon: Mic, Panel: VoiceSettingsSection },
];
