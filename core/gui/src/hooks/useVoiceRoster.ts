// Who is in a stream's voice channel, live from the SSE event stream (works before joining);
// settings changed in the user's other sessions and room changes arrive on the same stream.
import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../lib/api/queryKeys';
import type { Stream } from '../lib/api/types';
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
        onRoster: (fresh) => {
          setRoster(fresh);
          // Keep the stream's "N in voice" badge in step with the live roster.
          client.setQueryData<Stream>(queryKeys.stream(streamId), (old) =>
            old ? { ...old, voice: { ...old.voice, participants: fresh.length } } : old,
          );
        },
        onSettings: (settings) => {
          client.setQueryData(queryKeys.voiceSettings, settings);
          activeVoiceClient()?.applySettings(settings);
        },
        onConnection: setLive,
        onRoom: (room) => client.setQueryData(queryKeys.voiceRoom(streamId), room),
        onResync: () => void client.invalidateQueries({ queryKey: queryKeys.voiceRoom(streamId) }),
      },
      { createEventSource: (url) => new EventSource(url), fetchRoster },
    );
  }, [streamId, enabled, client]);
  return { roster, live };
}
