// A microphone preview for the settings level meter: reuses the call's microphone when in a call,
// otherwise opens one with the chosen device and processing while the settings are shown.
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  classifyMicError,
  openBrowserMic,
  type MicFailure,
  type MicPipeline,
} from '../lib/voice/micPipeline';
import type { VoiceSettings } from '../lib/voice/types';
import { activeVoiceClient } from '../lib/voice/voiceSession';

/** Returns a level reader for the meter (null while none) and why the preview failed, if it did. */
export function useMicPreview(settings: VoiceSettings | undefined, enabled: boolean) {
  const [mic, setMic] = useState<MicPipeline | null>(null);
  const [failure, setFailure] = useState<MicFailure | null>(null);
  const call = activeVoiceClient();
  const callState = call?.getSnapshot();
  const callHasMic =
    !!callState &&
    (callState.phase === 'connected' || callState.phase === 'reconnecting') &&
    !callState.listenOnly;
  const gain = settings?.input_gain ?? 100;
  const gainRef = useRef(gain);
  const ready = settings !== undefined;
  const deviceId = settings?.input_device_id ?? '';
  const noiseSuppression = settings?.noise_suppression ?? true;
  const echoCancellation = settings?.echo_cancellation ?? true;
  const autoGainControl = settings?.auto_gain_control ?? true;

  useEffect(() => {
    gainRef.current = gain;
    mic?.setGain(gain);
  }, [gain, mic]);

  useEffect(() => {
    if (!enabled || !ready || callHasMic) return undefined;
    let cancelled = false;
    let opened: MicPipeline | null = null;
    openBrowserMic({
      deviceId,
      noiseSuppression,
      echoCancellation,
      autoGainControl,
      gainPercent: gainRef.current,
    })
      .then((pipeline) => {
        if (cancelled) {
          pipeline.stop();
          return;
        }
        opened = pipeline;
        setFailure(null);
        setMic(pipeline);
      })
      .catch((error: unknown) => {
        if (!cancelled) setFailure(classifyMicError(error));
      });
    return () => {
      cancelled = true;
      opened?.stop();
      setMic(null);
    };
  }, [enabled, ready, callHasMic, deviceId, noiseSuppression, echoCancellation, autoGainControl]);

  const read = useMemo(() => {
    if (callHasMic && call) return () => call.micLevel();
    return mic ? () => mic.level() : null;
  }, [callHasMic, call, mic]);
  return { read, failure: callHasMic ? null : failure };
}
