import { describe, expect, it } from 'vitest';
import { isAudioLive, statusText } from './voiceStatus';

describe('voice status', () => {
  it('says Connected only once the media path is up', () => {
    expect(statusText({ phase: 'connected', media: 'connecting' })).toBe('Connecting audio…');
    expect(isAudioLive({ phase: 'connected', media: 'connecting' })).toBe(false);
    expect(statusText({ phase: 'connected', media: 'connected' })).toBe('Connected');
    expect(isAudioLive({ phase: 'connected', media: 'connected' })).toBe(true);
    expect(statusText({ phase: 'connected', media: 'interrupted' })).toBe('Audio interrupted…');
  });

  it('follows the phase otherwise', () => {
    expect(statusText({ phase: 'reconnecting', media: 'connected' })).toBe('Reconnecting…');
    expect(isAudioLive({ phase: 'reconnecting', media: 'connected' })).toBe(false);
    expect(statusText({ phase: 'ended', media: 'connecting' })).toBe('Disconnected');
    expect(statusText({ phase: 'idle', media: 'connecting' })).toBe('Not connected');
  });
});
