// Host and moderator actions on other participants (mute, unmute, remove); failures raise a toast.
import { useMutation } from '@tanstack/react-query';
import { moderate } from '../lib/voice/voiceApi';

export type ModerationAction = 'mute' | 'unmute' | 'kick';

/** Returns `run(userId, action)` and whether a request is in flight. */
export function useModeration(streamId: number) {
  const mutation = useMutation<void, unknown, { userId: number; action: ModerationAction }>({
    mutationFn: ({ userId, action }) => moderate(streamId, userId, action),
  });
  return {
    run: (userId: number, action: ModerationAction) => mutation.mutate({ userId, action }),
    isPending: mutation.isPending,
  };
}
