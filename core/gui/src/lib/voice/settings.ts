// Voice settings: defaults and the same validation the server applies (PUT /api/settings/voice),
// so the modal refuses a bad value before sending it.
import type { VoiceSettings } from './types';

export const kDefaultVoiceSettings: VoiceSettings = {
  auto_join: false,
  mute_on_join: false,
  input_device_id: '',
  input_gain: 100,
  push_to_talk: false,
  ptt_key: '',
  noise_suppression: true,
  echo_cancellation: true,
  auto_gain_control: true,
  output_volume: 100,
};

export const kMinPercent = 0;
export const kMaxPercent = 200;
export const kMaxDeviceIdChars = 256;
export const kMaxPttKeyChars = 64;

const kBooleanFields = [
  'auto_join',
  'mute_on_join',
  'push_to_talk',
  'noise_suppression',
  'echo_cancellation',
  'auto_gain_control',
] as const;
const kPercentFields = ['input_gain', 'output_volume'] as const;

export type SettingsValidation =
  { ok: true; patch: Partial<VoiceSettings> } | { ok: false; error: string };

/**
 * Checks a partial settings object (unknown fields, types, ranges) and returns it typed, or the
 * first problem as a sentence for the user.
 */
export function validateSettingsPatch(input: unknown): SettingsValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, error: 'Settings must be an object.' };
  }
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if ((kBooleanFields as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') return { ok: false, error: `${key} must be true or false.` };
    } else if ((kPercentFields as readonly string[]).includes(key)) {
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < kMinPercent ||
        value > kMaxPercent
      ) {
        return {
          ok: false,
          error: `${key} must be a whole number from ${kMinPercent} to ${kMaxPercent}.`,
        };
      }
    } else if (key === 'input_device_id') {
      if (typeof value !== 'string' || value.length > kMaxDeviceIdChars) {
        return {
          ok: false,
          error: `input_device_id must be text of at most ${kMaxDeviceIdChars} characters.`,
        };
      }
    } else if (key === 'ptt_key') {
      if (typeof value !== 'string' || value.length > kMaxPttKeyChars) {
        return {
          ok: false,
          error: `ptt_key must be text of at most ${kMaxPttKeyChars} characters.`,
        };
      }
    } else {
      return { ok: false, error: `Unknown setting "${key}".` };
    }
    patch[key] = value;
  }
  return { ok: true, patch: patch as Partial<VoiceSettings> };
}

/** Returns full settings from a server reply, filling missing or bad fields with defaults. */
export function normalizeSettings(input: unknown): VoiceSettings {
  const result: VoiceSettings = { ...kDefaultVoiceSettings };
  if (typeof input !== 'object' || input === null) return result;
  for (const [key, value] of Object.entries(input)) {
    if (!(key in result)) continue;
    const checked = validateSettingsPatch({ [key]: value });
    if (checked.ok) Object.assign(result, checked.patch);
  }
  return result;
}

/** Returns a readable name for a KeyboardEvent.code ("KeyV" → "V", "Space" → "Space"). */
export function describeKey(code: string): string {
  if (!code) return 'Not set';
  if (/^Key[A-Z]$/.test(code)) return code.slice(3);
  if (/^Digit\d$/.test(code)) return code.slice(5);
  return code.replace(/(Left|Right)$/, ' $1');
}
