// The microphones the browser offers (labels appear once permission is granted).
import { useEffect, useState } from 'react';

export interface AudioInput {
  deviceId: string;
  label: string;
}

/** Returns the audio input devices, refreshed on devicechange; `refreshKey` forces a reload. */
export function useAudioInputs(refreshKey: unknown = null): AudioInput[] {
  const [inputs, setInputs] = useState<AudioInput[]>([]);
  useEffect(() => {
    const devices = navigator.mediaDevices;
    if (!devices?.enumerateDevices) return undefined;
    let cancelled = false;
    const load = () =>
      devices
        .enumerateDevices()
        .then((list) => {
          if (cancelled) return;
          setInputs(
            list
              .filter((d) => d.kind === 'audioinput')
              .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Microphone ${i + 1}` })),
          );
        })
        .catch(() => {});
    void load();
    devices.addEventListener?.('devicechange', load);
    return () => {
      cancelled = true;
      devices.removeEventListener?.('devicechange', load);
    };
  }, [refreshKey]);
  return inputs;
}
