// Host and moderator actions on other participants (mute, unmute, remove); failures raise a toast.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../lib/api/queryKeys';
import { moderate } from '../lib/voice/voiceApi';

export type ModerationAction = 'mute' | 'unmute' | 'kick';

/** Returns `run(userId, action)` and whether a request is in flight. */
export function useModeration(streamId: number) {
  const client = useQueryClient();
  const mutation = useMutation<void, unknown, { userId: number; action: ModerationAction }>({
    mutationFn: ({ userId, action }) => moderate(streamId, userId, action),
    onSuccess: () => {
      // The Room controls' kick list and log, when open, show the change.
      void client.invalidateQueries({ queryKey: queryKeys.voiceKicks(streamId) });
      void client.invalidateQueries({ queryKey: queryKeys.voiceAudit(streamId) });
    },
  });
  return {
    run: (userId: number, action: ModerationAction) => mutation.mutate({ userId, action }),
    isPending: mutation.isPending,
  };
}
