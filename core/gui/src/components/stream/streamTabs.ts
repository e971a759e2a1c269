// The tabs of the stream page, in order. Panels receive StreamTabProps and stay mounted once
// opened, so a call survives tab switches.
import { Info, Mic } from 'lucide-react';
import { lazy } from 'react';
import type { TabDefinition } from '../tabs/TabView';
import { InfoTab } from './InfoTab';
import type { StreamTabProps } from './StreamTabProps';

export type StreamTab = TabDefinition<StreamTabProps>;

const VoiceChatPanel = lazy(() => import('../voice/VoiceChatPanel'));

export const streamTabs: readonly StreamTab[] = [
  { id: 'info', label: 'Info', icon: Info, Panel: InfoTab },
  { id: 'voice', label: 'Voice', icon: Mic, Panel: VoiceChatPanel },
];
