// React Query cache keys, in one place so invalidations match the queries.

export const queryKeys = {
  me: ['auth', 'me'] as const,
  streams: ['streams'] as const,
  stream: (id: number) => ['streams', id] as const,
  voiceSettings: ['settings', 'voice'] as const,
};
