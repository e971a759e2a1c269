// Changing the voice room (mode, limits, slow mode, pins) with PATCH …/room: the reply replaces
// the cached room at once (the `room_updated` event brings the same to everyone else).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../lib/api/queryKeys';
import { patchRoom } from '../lib/voice/roomApi';
import type { RoomPatch, VoiceRoom } from '../lib/voice/types';

/** Returns `save(patch)`, its pending state and its last error (shown inline, not as a toast). */
export function useRoomSettings(streamId: number) {
  const client = useQueryClient();
  const mutation = useMutation<VoiceRoom, unknown, RoomPatch>({
    mutationFn: (patch) => patchRoom(streamId, patch),
    meta: { handlesErrors: true },
    onSuccess: (room) => {
      client.setQueryData(queryKeys.voiceRoom(streamId), room);
      void client.invalidateQueries({ queryKey: queryKeys.voiceAudit(streamId) });
    },
  });
  return {
    save: (patch: RoomPatch, onDone?: () => void) =>
      mutation.mutate(patch, { onSuccess: () => onDone?.() }),
    isPending: mutation.isPending,
    error: mutation.error,
    saved: mutation.isSuccess,
  };
}
