// The microphone path: getUserMedia with the user's processing settings → WebAudio gain →
// a MediaStreamTrack to send, plus an analyser for the level meter and the local speaking cue.
import type { VoiceSettings } from './types';

export interface MicOptions {
  deviceId: string;
  noiseSuppression: boolean;
  echoCancellation: boolean;
  autoGainControl: boolean;
  /** Input gain in percent (0–200). */
  gainPercent: number;
}

export interface MicPipeline {
  /** The processed track to send (after the gain). */
  readonly track: MediaStreamTrack;
  readonly stream: MediaStream;
  /** The device actually in use (may differ from the one asked for). */
  readonly deviceId: string;
  setGain(gainPercent: number): void;
  /** Returns the current input level, 0..1 (RMS after gain). */
  level(): number;
  stop(): void;
}

export type OpenMic = (options: MicOptions) => Promise<MicPipeline>;

/** The microphone options for the given voice settings. */
export function micOptions(settings: VoiceSettings): MicOptions {
  return {
    deviceId: settings.input_device_id,
    noiseSuppression: settings.noise_suppression,
    echoCancellation: settings.echo_cancellation,
    autoGainControl: settings.auto_gain_control,
    gainPercent: settings.input_gain,
  };
}

/** Why the microphone is unavailable, from a getUserMedia rejection. */
export type MicFailure = 'denied' | 'no-device' | 'busy' | 'error';

/** Maps a getUserMedia error (DOMException name) to what the GUI explains. */
export function classifyMicError(error: unknown): MicFailure {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'no-device';
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy';
  return 'error';
}

/** Returns getUserMedia audio constraints for the options. */
export function micConstraints(options: MicOptions): MediaTrackConstraints {
  return {
    ...(options.deviceId ? { deviceId: { exact: options.deviceId } } : {}),
    noiseSuppression: options.noiseSuppression,
    echoCancellation: options.echoCancellation,
    autoGainControl: options.autoGainControl,
    channelCount: 1,
  };
}

let sharedContext: AudioContext | null = null;

/** Returns the page's AudioContext, resumed (joining is a click, so resuming is allowed). */
export function audioContext(): AudioContext {
  if (!sharedContext || sharedContext.state === 'closed') sharedContext = new AudioContext();
  if (sharedContext.state === 'suspended') void sharedContext.resume().catch(() => {});
  return sharedContext;
}

/** Opens the microphone through WebAudio; rejects with getUserMedia's DOMException. */
export const openBrowserMic: OpenMic = async (options) => {
  let raw: MediaStream;
  try {
    raw = await navigator.mediaDevices.getUserMedia({ audio: micConstraints(options) });
  } catch (error) {
    // A stored device that is gone: fall back to the default one rather than failing.
    if (options.deviceId && classifyMicError(error) === 'no-device') {
      raw = await navigator.mediaDevices.getUserMedia({
        audio: micConstraints({ ...options, deviceId: '' }),
      });
    } else {
      throw error;
    }
  }
  const input = raw.getAudioTracks()[0];
  if (!input) throw new DOMException('No audio track', 'NotFoundError');
  const ctx = audioContext();
  const source = ctx.createMediaStreamSource(raw);
  const gain = ctx.createGain();
  gain.gain.value = options.gainPercent / 100;
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  const destination = ctx.createMediaStreamDestination();
  source.connect(gain);
  gain.connect(analyser);
  gain.connect(destination);
  const samples = new Float32Array(analyser.fftSize);
  const track = destination.stream.getAudioTracks()[0]!;
  return {
    track,
    stream: destination.stream,
    deviceId: input.getSettings().deviceId ?? options.deviceId,
    setGain: (percent) => {
      gain.gain.value = percent / 100;
    },
    level: () => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      return Math.min(1, Math.sqrt(sum / samples.length) * 2);
    },
    stop: () => {
      source.disconnect();
      gain.disconnect();
      analyser.disconnect();
      track.stop();
      raw.getTracks().forEach((t) => t.stop());
    },
  };
};

/** Returns the state of the microphone permission, or 'unknown' where the API is missing. */
export async function queryMicPermission(): Promise<'prompt' | 'granted' | 'denied' | 'unknown'> {
  try {
    const status = await navigator.permissions.query({ name: 'microphone' as PermissionName });
    return status.state;
  } catch {
    return 'unknown';
  }
}
