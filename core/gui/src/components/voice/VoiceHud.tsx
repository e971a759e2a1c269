import { useActiveVoiceState } from '../../hooks/useVoiceClient';
import { VoiceStatusChips } from './VoiceStatusChips';

/** The voice chips drawn over the player while in this stream's call. */
export function VoiceHud({ streamId }: { streamId: number }) {
  const state = useActiveVoiceState(streamId);
  return state ? <VoiceStatusChips state={state} /> : null;
}
