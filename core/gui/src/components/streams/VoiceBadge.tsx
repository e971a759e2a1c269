import { Mic, MicOff } from 'lucide-react';
import type { VoiceSummary } from '../../lib/api/types';

/** "Voice · 3 in voice" when voice is on for a stream, "Voice off" otherwise. */
export function VoiceBadge({ voice }: { voice: VoiceSummary }) {
  if (!voice.enabled) {
    return (
      <span className="badge badge--muted">
        <MicOff aria-hidden size={14} /> Voice off
      </span>
    );
  }
  const count = voice.participants;
  return (
    <span className="badge badge--voice">
      <Mic aria-hidden size={14} /> {count} in voice
    </span>
  );
}
