// The tabs of the stream page, in order. Extension point: the voice GUI adds its tab here, e.g.
//   const VoiceChatPanel = lazy(() => import('../voice/VoiceChatPanel'));
//   { id: 'voice', label: 'Voice', icon: Mic, Panel: VoiceChatPanel }
// Panels receive StreamTabProps and stay mounted once opened, so a call survives tab switches.
import { Info } from 'lucide-react';
import type { TabDefinition } from '../tabs/TabView';
import { InfoTab } from './InfoTab';
import type { StreamTabProps } from './StreamTabProps';

export type StreamTab = TabDefinition<StreamTabProps>;

export const streamTabs: readonly StreamTab[] = [
  { id: 'info', label: 'Info', icon: Info, Panel: InfoTab },
];
