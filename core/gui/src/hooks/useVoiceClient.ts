// The voice call of a stream: the VoiceClient state plus its actions (src/lib/voice does the work).
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { queryMicPermission } from '../lib/voice/micPipeline';
import type { VoiceClient, VoiceSnapshot } from '../lib/voice/VoiceClient';
import { activeVoiceClient, subscribeActiveVoice, voiceClientFor } from '../lib/voice/voiceSession';

/** Returns the client for `streamId` (the app's one call) and its live state. */
export function useVoiceClient(streamId: number): { client: VoiceClient; state: VoiceSnapshot } {
  const client = useMemo(() => voiceClientFor(streamId), [streamId]);
  const state = useSyncExternalStore(client.subscribe, client.getSnapshot);
  useEffect(() => {
    let cancelled = false;
    void queryMicPermission().then((permission) => {
      if (!cancelled) client.setMicPermission(permission);
    });
    return () => {
      cancelled = true;
    };
  }, [client]);
  return { client, state };
}

const noSubscribe = () => () => {};
const noSnapshot = () => null;

/** Returns the state of the current call when it is for `streamId` (for the player HUD), else null. */
export function useActiveVoiceState(streamId: number): VoiceSnapshot | null {
  const client = useSyncExternalStore(subscribeActiveVoice, activeVoiceClient);
  const forStream = client && client.getSnapshot().streamId === streamId ? client : null;
  return useSyncExternalStore(
    forStream?.subscribe ?? noSubscribe,
    forStream?.getSnapshot ?? noSnapshot,
  );
}
