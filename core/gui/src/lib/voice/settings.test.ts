import { describe, expect, it } from 'vitest';
import {
  describeKey,
  kDefaultVoiceSettings,
  normalizeSettings,
  validateSettingsPatch,
} from './settings';

describe('validateSettingsPatch', () => {
  it('accepts a valid subset', () => {
    expect(
      validateSettingsPatch({
        input_gain: 0,
        output_volume: 200,
        ptt_key: 'KeyV',
        auto_join: true,
      }),
    ).toEqual({
      ok: true,
      patch: { input_gain: 0, output_volume: 200, ptt_key: 'KeyV', auto_join: true },
    });
  });
  it.each([
    [{ input_gain: 201 }, /input_gain/],
    [{ input_gain: -1 }, /input_gain/],
    [{ output_volume: 50.5 }, /output_volume/],
    [{ mute_on_join: 'yes' }, /mute_on_join/],
    [{ ptt_key: 'x'.repeat(65) }, /ptt_key/],
    [{ input_device_id: 'd'.repeat(257) }, /input_device_id/],
    [{ volume: 3 }, /Unknown setting "volume"/],
  ])('refuses %j', (patch, message) => {
    const result = validateSettingsPatch(patch);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
  it('refuses non-objects', () => {
    expect(validateSettingsPatch(null).ok).toBe(false);
    expect(validateSettingsPatch([1]).ok).toBe(false);
  });
});

describe('normalizeSettings', () => {
  it('fills missing and bad fields with defaults and drops unknown ones', () => {
    expect(normalizeSettings({ input_gain: 150, output_volume: 999, extra: 1 })).toEqual({
      ...kDefaultVoiceSettings,
      input_gain: 150,
    });
    expect(normalizeSettings('x')).toEqual(kDefaultVoiceSettings);
  });
});

describe('describeKey', () => {
  it('names key codes readably', () => {
    expect(describeKey('KeyV')).toBe('V');
    expect(describeKey('Digit5')).toBe('5');
    expect(describeKey('ControlLeft')).toBe('Control Left');
    expect(describeKey('')).toBe('Not set');
  });
});
