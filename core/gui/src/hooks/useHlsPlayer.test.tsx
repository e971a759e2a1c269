import { render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VideoPlayer } from '../components/player/VideoPlayer';

afterEach(() => vi.restoreAllMocks());

describe('useHlsPlayer (through VideoPlayer)', () => {
  it('uses native HLS when the browser has it and no Media Source Extensions', async () => {
    vi.spyOn(HTMLMediaElement.prototype, 'canPlayType').mockImplementation((type) =>
      type === 'application/vnd.apple.mpegurl' ? 'maybe' : '',
    );
    render(<VideoPlayer src="/media/demo/index.m3u8" title="Demo" />);
    const video = screen.getByLabelText('Stream player: Demo') as HTMLVideoElement;
    await waitFor(() => expect(video.getAttribute('src')).toBe('/media/demo/index.m3u8'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('explains when the browser cannot play HLS at all', async () => {
    vi.spyOn(HTMLMediaElement.prototype, 'canPlayType').mockReturnValue('');
    render(<VideoPlayer src="/media/demo/index.m3u8" title="Demo" />);
    expect(await screen.findByRole('alert')).toHaveTextContent('cannot play HLS');
  });
});
