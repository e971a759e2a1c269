// Attaches an HLS source to a <video>: hls.js where Media Source Extensions exist, else native HLS.
// hls.js is loaded on demand so pages without a player do not download it.
import type Hls from 'hls.js';
import { useEffect, useRef, useState } from 'react';

export type PlayerStatus = 'idle' | 'loading' | 'playing' | 'error';

/** Returns a ref for the <video>, its status and a readable error when playback fails. */
export function useHlsPlayer(src: string | null | undefined) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [status, setStatus] = useState<PlayerStatus>('idle');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const video = videoRef.current;
    if (!video || !src) return;
    let cancelled = false;
    let hls: Hls | null = null;
    const fail = (message: string) => {
      if (cancelled) return;
      setStatus('error');
      setError(message);
    };
    const onPlaying = () => {
      if (cancelled) return;
      setStatus('playing');
      setError(null);
    };
    const onVideoError = () => {
      if (!hls) fail('The stream cannot be played.');
    };
    video.addEventListener('playing', onPlaying);
    video.addEventListener('error', onVideoError);
    const startPlayback = () => {
      void video.play().catch(() => {
        // Autoplay may be refused until the user interacts; the controls let them start it.
      });
    };

    const attach = async () => {
      setStatus('loading');
      setError(null);
      if (video.canPlayType('application/vnd.apple.mpegurl') && !window.MediaSource) {
        video.src = src;
        startPlayback();
        return;
      }
      const { default: HlsClass } = await import('hls.js');
      if (cancelled) return;
      if (!HlsClass.isSupported()) {
        if (video.canPlayType('application/vnd.apple.mpegurl')) {
          video.src = src;
          startPlayback();
        } else {
          fail('This browser cannot play HLS streams.');
        }
        return;
      }
      const instance = new HlsClass({ enableWorker: true });
      hls = instance;
      let recoveredMedia = false;
      instance.on(HlsClass.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR && !recoveredMedia) {
          recoveredMedia = true;
          instance.recoverMediaError();
          return;
        }
        const code = data.response?.code ? ` (HTTP ${data.response.code})` : '';
        fail(`The stream cannot be played: ${data.details}${code}.`);
      });
      instance.loadSource(src);
      instance.attachMedia(video);
      startPlayback();
    };
    attach().catch((e: unknown) =>
      fail(e instanceof Error ? e.message : 'The player failed to load.'),
    );

    return () => {
      cancelled = true;
      video.removeEventListener('playing', onPlaying);
      video.removeEventListener('error', onVideoError);
      if (hls) {
        hls.destroy();
      } else {
        video.removeAttribute('src');
        video.load();
      }
    };
  }, [src]);

  return { videoRef, status, error };
}
