// The stream's appointed moderators (GET …/moderators) and appointing or removing one
// (POST …/members/{user}/role, host or admin); the roster follows through `member_updated`.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../lib/api/queryKeys';
import { fetchModerators, setMemberRole } from '../lib/voice/roomApi';

/** Returns the moderators query and `setRole(userId, role)`. */
export function useModerators(streamId: number, enabled: boolean) {
  const client = useQueryClient();
  const query = useQuery({
    queryKey: queryKeys.voiceModerators(streamId),
    queryFn: () => fetchModerators(streamId),
    enabled,
  });
  const mutation = useMutation({
    mutationFn: ({ userId, role }: { userId: number; role: 'moderator' | 'member' }) =>
      setMemberRole(streamId, userId, role),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: queryKeys.voiceModerators(streamId) });
      void client.invalidateQueries({ queryKey: queryKeys.voiceAudit(streamId) });
    },
  });
  return {
    moderators: query.data ?? [],
    setRole: (userId: number, role: 'moderator' | 'member') => mutation.mutate({ userId, role }),
  };
}
