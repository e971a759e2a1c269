import type { ReactNode } from 'react';
import { useHlsPlayer } from '../../hooks/useHlsPlayer';
import { ErrorMessage } from '../ui/ErrorMessage';

interface VideoPlayerProps {
  src: string;
  title: string;
  /** Overlay drawn over the top-left of the video (status chips such as Connected / Muted). */
  hud?: ReactNode;
}

/** The stream player: an HLS <video> with native controls; playback errors are shown under it. */
export function VideoPlayer({ src, title, hud }: VideoPlayerProps) {
  const { videoRef, status, error } = useHlsPlayer(src);
  return (
    <div className="player" data-status={status}>
      <video
        ref={videoRef}
        className="player__video"
        aria-label={`Stream player: ${title}`}
        controls
        autoPlay
        muted
        loop
        playsInline
      />
      {hud && <div className="player__hud">{hud}</div>}
      {error && <ErrorMessage error={new Error(error)} />}
    </div>
  );
}
