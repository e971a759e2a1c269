// The voice room's moderation log (GET …/audit), newest first.
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../lib/api/queryKeys';
import { fetchAudit } from '../lib/voice/roomApi';

export const kAuditLimit = 50;

/** Returns the audit query (refetched after each moderation action made here). */
export function useAuditLog(streamId: number, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.voiceAudit(streamId),
    queryFn: () => fetchAudit(streamId, kAuditLimit),
    enabled,
  });
}
