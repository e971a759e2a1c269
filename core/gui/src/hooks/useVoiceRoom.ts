// The voice room object (mode, limits, slow mode, pins) of a stream: GET …/state when used, then
// kept current by `room_updated` events and PATCH replies (useVoiceRoster, useRoomSettings).
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../lib/api/queryKeys';
import { fetchVoiceState } from '../lib/voice/voiceApi';

/** Returns the room query (data undefined until loaded or when voice is off). */
export function useVoiceRoom(streamId: number, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.voiceRoom(streamId),
    queryFn: async () => (await fetchVoiceState(streamId)).room,
    enabled,
    refetchOnWindowFocus: false,
  });
}
