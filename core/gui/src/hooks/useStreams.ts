// The stream list and single streams, cached by React Query.
import { useQuery } from '@tanstack/react-query';
import { getStream, listStreams } from '../lib/api/client';
import { queryKeys } from '../lib/api/queryKeys';

/** How often the list refreshes so voice participant counts stay current. */
export const kStreamsRefreshMs = 15_000;

/** Returns the query for GET /api/streams. */
export function useStreams() {
  return useQuery({
    queryKey: queryKeys.streams,
    queryFn: listStreams,
    refetchInterval: kStreamsRefreshMs,
  });
}

/** Returns the query for GET /api/streams/{id}; disabled when the id is not a number. */
export function useStream(id: number) {
  return useQuery({
    queryKey: queryKeys.stream(id),
    queryFn: () => getStream(id),
    enabled: Number.isInteger(id) && id > 0,
    refetchInterval: kStreamsRefreshMs,
  });
}
