import { useEffect, useId, useRef, useState } from 'react';
import { useAudioInputs } from '../../hooks/useAudioInputs';
import { useLevel } from '../../hooks/useLevel';
import { useMicPreview } from '../../hooks/useMicPreview';
import { useVoiceSettings } from '../../hooks/useVoiceSettings';
import { describeError } from '../../lib/api/ApiError';
import type { VoiceSettings } from '../../lib/voice/types';
import { ErrorMessage } from '../ui/ErrorMessage';
import { Loading } from '../ui/Loading';
import { LevelMeter } from './LevelMeter';
import { PttKeyCapture } from './PttKeyCapture';

type BooleanKey = {
  [K in keyof VoiceSettings]: VoiceSettings[K] extends boolean ? K : never;
}[keyof VoiceSettings];

const kToggles: { key: BooleanKey; label: string; help: string }[] = [
  {
    key: 'auto_join',
    label: 'Join voice automatically',
    help: 'Join when you open a stream’s Voice tab.',
  },
  { key: 'mute_on_join', label: 'Mute when joining', help: 'Start every call muted.' },
  { key: 'noise_suppression', label: 'Noise suppression', help: 'Filter steady background noise.' },
  {
    key: 'echo_cancellation',
    label: 'Echo cancellation',
    help: 'Stop others hearing themselves through your speakers.',
  },
  { key: 'auto_gain_control', label: 'Automatic gain control', help: 'Even out your loudness.' },
];
const kSaveDelayMs = 300;

/** A 0–200 % slider that applies live and saves once the user pauses. */
function PercentSlider({
  label,
  value,
  onPreview,
  onSave,
}: {
  label: string;
  value: number;
  onPreview: (v: number) => void;
  onSave: (v: number) => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState<number | null>(null);
  const timer = useRef<number | null>(null);
  useEffect(() => () => void (timer.current !== null && window.clearTimeout(timer.current)), []);
  const shown = draft ?? value;
  return (
    <div className="setting setting--range">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="range"
        min={0}
        max={200}
        step={5}
        value={shown}
        aria-valuetext={`${shown}%`}
        onChange={(event) => {
          const next = Number(event.target.value);
          setDraft(next);
          onPreview(next);
          if (timer.current !== null) window.clearTimeout(timer.current);
          timer.current = window.setTimeout(() => {
            timer.current = null;
            setDraft(null);
            onSave(next);
          }, kSaveDelayMs);
        }}
      />
      <output htmlFor={id}>{shown}%</output>
    </div>
  );
}

/** Settings → Voice: microphone, level meter, gain, push-to-talk, processing, output volume. */
export default function VoiceSettingsSection() {
  const { settings, isLoading, loadError, reload, save, preview, saveError, isSaving } =
    useVoiceSettings();
  const inputs = useAudioInputs();
  const deviceId = useId();
  const { read, failure } = useMicPreview(settings, settings !== undefined);
  const level = useLevel(read, read !== null);
  if (isLoading) return <Loading label="Loading voice settings…" />;
  if (!settings) return <ErrorMessage error={loadError} onRetry={reload} />;
  return (
    <section className="settings-section voice-settings" aria-label="Voice settings">
      {saveError != null && (
        <div
          role="alert"
          className="voice-banner voice-banner--error"
          data-testid="settings-save-error"
        >
          Could not save: {describeError(saveError)} Your previous setting was restored.
        </div>
      )}
      <div className="setting">
        <label htmlFor={deviceId}>Input device</label>
        <select
          id={deviceId}
          value={settings.input_device_id}
          onChange={(e) => save({ input_device_id: e.target.value })}
        >
          <option value="">Default microphone</option>
          {inputs
            .filter((d) => d.deviceId && d.deviceId !== 'default')
            .map((d) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label}
              </option>
            ))}
          {settings.input_device_id &&
            !inputs.some((d) => d.deviceId === settings.input_device_id) && (
              <option value={settings.input_device_id}>Saved microphone (not connected)</option>
            )}
        </select>
      </div>
      <PercentSlider
        label="Input gain"
        value={settings.input_gain}
        onPreview={(v) => preview({ input_gain: v })}
        onSave={(v) => save({ input_gain: v })}
      />
      <div className="setting setting--meter">
        <span className="setting__label" aria-hidden>
          Input level
        </span>
        <LevelMeter level={level} label="Microphone level" />
      </div>
      {failure && (
        <p className="setting__help">
          Level meter unavailable: microphone{' '}
          {failure === 'denied' ? 'access is blocked' : 'not available'}.
        </p>
      )}
      <div className="setting setting--check">
        <input
          id={`${deviceId}-ptt`}
          type="checkbox"
          checked={settings.push_to_talk}
          onChange={(e) => save({ push_to_talk: e.target.checked })}
        />
        <label htmlFor={`${deviceId}-ptt`}>Push-to-talk</label>
        <PttKeyCapture value={settings.ptt_key} onChange={(code) => save({ ptt_key: code })} />
      </div>
      {settings.push_to_talk && !settings.ptt_key && (
        <p className="setting__help">Choose a key to hold while talking.</p>
      )}
      {kToggles.map(({ key, label, help }) => (
        <div className="setting setting--check" key={key}>
          <input
            id={`${deviceId}-${key}`}
            type="checkbox"
            checked={settings[key]}
            onChange={(e) => save({ [key]: e.target.checked })}
          />
          <label htmlFor={`${deviceId}-${key}`}>{label}</label>
          <span className="setting__help">{help}</span>
        </div>
      ))}
      <PercentSlider
        label="Output volume"
        value={settings.output_volume}
        onPreview={(v) => preview({ output_volume: v })}
        onSave={(v) => save({ output_volume: v })}
      />
      <p className="setting__status" role="status" aria-live="polite">
        {isSaving ? 'Saving…' : ''}
      </p>
    </section>
  );
}
