// Stage actions: raise or lower one's hand, make someone a speaker or move them to the audience.
// The roster follows through `member_updated`; failures raise a toast (with any wait).
import { useMutation } from '@tanstack/react-query';
import { allowSpeak, raiseHand } from '../lib/voice/roomApi';

/** Returns `setHand(raised)` and `speak(userId, allow)`. */
export function useStageActions(streamId: number) {
  const hand = useMutation({ mutationFn: (raised: boolean) => raiseHand(streamId, raised) });
  const speak = useMutation({
    mutationFn: ({ userId, allow }: { userId: number; allow: boolean }) =>
      allowSpeak(streamId, userId, allow),
  });
  return {
    setHand: (raised: boolean) => hand.mutate(raised),
    speak: (userId: number, allow: boolean) => speak.mutate({ userId, allow }),
  };
}
