// The user's voice settings: GET when used (the modal opening), PUT with an optimistic update
// that rolls back and reports the error when the server refuses.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../lib/api/queryKeys';
import { validateSettingsPatch } from '../lib/voice/settings';
import type { VoiceSettings } from '../lib/voice/types';
import { fetchVoiceSettings, saveVoiceSettings } from '../lib/voice/voiceApi';
import { activeVoiceClient } from '../lib/voice/voiceSession';

/** Returns the settings query (fresh on every mount). */
export function useVoiceSettingsQuery() {
  return useQuery({
    queryKey: queryKeys.voiceSettings,
    queryFn: fetchVoiceSettings,
    staleTime: 0,
    refetchOnMount: 'always',
  });
}

/** Applies settings to the React Query cache and to a call in progress. */
function applyEverywhere(client: ReturnType<typeof useQueryClient>, settings: VoiceSettings) {
  client.setQueryData(queryKeys.voiceSettings, settings);
  activeVoiceClient()?.applySettings(settings);
}

/** Returns the settings, their loading state, and `save(patch)` (optimistic, with rollback). */
export function useVoiceSettings() {
  const client = useQueryClient();
  const query = useVoiceSettingsQuery();
  const mutation = useMutation<
    VoiceSettings,
    unknown,
    Partial<VoiceSettings>,
    { previous?: VoiceSettings }
  >({
    mutationFn: async (patch) => {
      const checked = validateSettingsPatch(patch);
      if (!checked.ok) throw new Error(checked.error);
      return saveVoiceSettings(checked.patch);
    },
    onMutate: async (patch) => {
      await client.cancelQueries({ queryKey: queryKeys.voiceSettings });
      const previous = client.getQueryData<VoiceSettings>(queryKeys.voiceSettings);
      if (previous) applyEverywhere(client, { ...previous, ...patch });
      return { previous };
    },
    onError: (_error, _patch, context) => {
      if (context?.previous) applyEverywhere(client, context.previous);
    },
    onSuccess: (saved) => applyEverywhere(client, saved),
    meta: { handlesErrors: true },
  });
  return {
    settings: query.data,
    isLoading: query.isPending,
    loadError: query.error,
    reload: () => void query.refetch(),
    save: (patch: Partial<VoiceSettings>) => mutation.mutate(patch),
    /** Applies a change locally (slider being dragged) without saving it. */
    preview: (patch: Partial<VoiceSettings>) => {
      const current = client.getQueryData<VoiceSettings>(queryKeys.voiceSettings);
      if (current) applyEverywhere(client, { ...current, ...patch });
    },
    isSaving: mutation.isPending,
    saveError: mutation.error,
  };
}

/** Returns a function that stores settings pushed by the server (settings_updated). */
export function useApplyRemoteSettings() {
  const client = useQueryClient();
  return (settings: VoiceSettings) => applyEverywhere(client, settings);
}
