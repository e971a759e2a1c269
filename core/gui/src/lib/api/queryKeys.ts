// React Query cache keys, in one place so invalidations match the queries.

export const queryKeys = {
  me: ['auth', 'me'] as const,
  streams: ['streams'] as const,
  stream: (id: number) => ['streams', id] as const,
  voiceSettings: ['settings', 'voice'] as const,
  voiceRoom: (streamId: number) => ['voice', streamId, 'room'] as const,
  voiceModerators: (streamId: number) => ['voice', streamId, 'moderators'] as const,
  voiceKicks: (streamId: number) => ['voice', streamId, 'kicks'] as const,
  voiceAudit: (streamId: number) => ['voice', streamId, 'audit'] as const,
};
