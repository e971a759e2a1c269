import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDomRemoteAudio } from './remoteAudio';

afterEach(() => vi.restoreAllMocks());

describe('createDomRemoteAudio', () => {
  it('unlock starts one inline <audio> per slot at once; dispose removes them', () => {
    const play = vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue(undefined);
    const audio = createDomRemoteAudio(document);
    audio.unlock(4);
    const elements = [...document.querySelectorAll('audio[data-voice-slot]')];
    expect(elements).toHaveLength(4);
    expect(elements.every((el) => el.hasAttribute('playsinline'))).toBe(true);
    expect(play).toHaveBeenCalledTimes(4);
    audio.setVolume(2, 0.5);
    expect(document.querySelectorAll('audio[data-voice-slot]')).toHaveLength(4);
    audio.dispose();
    expect(document.querySelectorAll('audio[data-voice-slot]')).toHaveLength(0);
  });
});
