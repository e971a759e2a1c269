// Who is in a stream's voice channel, live from the SSE event stream (works before joining);
// settings changed in the user's other sessions arrive on the same stream.
import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../lib/api/queryKeys';
import type { RosterEntry } from '../lib/voice/types';
import { fetchRoster } from '../lib/voice/voiceApi';
import { watchVoiceEvents } from '../lib/voice/voiceEvents';
import { activeVoiceClient } from '../lib/voice/voiceSession';

/** Returns the roster (null until loaded) and whether the event stream is open. */
export function useVoiceRoster(streamId: number, enabled: boolean) {
  const client = useQueryClient();
  const [roster, setRoster] = useState<RosterEntry[] | null>(null);
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (!enabled) return undefined;
    return watchVoiceEvents(
      streamId,
      {
        onRoster: setRoster,
        onSettings: (settings) => {
          client.setQueryData(queryKeys.voiceSettings, settings);
          activeVoiceClient()?.applySettings(settings);
        },
        onConnection: setLive,
      },
      { createEventSource: (url) => new EventSource(url), fetchRoster },
    );
  }, [streamId, enabled, client]);
  return { roster, live };
}
