// Who is banned from the voice room (GET …/kicks) and lifting a ban (DELETE …/kicks/{user}).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../lib/api/queryKeys';
import { fetchKicks, liftKick } from '../lib/voice/roomApi';

/** Returns the kicks query and `lift(userId)`. */
export function useKicks(streamId: number, enabled: boolean) {
  const client = useQueryClient();
  const query = useQuery({
    queryKey: queryKeys.voiceKicks(streamId),
    queryFn: () => fetchKicks(streamId),
    enabled,
  });
  const mutation = useMutation({
    mutationFn: (userId: number) => liftKick(streamId, userId),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: queryKeys.voiceKicks(streamId) });
      void client.invalidateQueries({ queryKey: queryKeys.voiceAudit(streamId) });
    },
  });
  return { query, lift: (userId: number) => mutation.mutate(userId) };
}
