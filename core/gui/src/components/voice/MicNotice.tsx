import { MicOff } from 'lucide-react';
import type { MicState } from '../../lib/voice/VoiceClient';

const kMessages: Partial<Record<MicState, { title: string; help: string }>> = {
  prompt: {
    title: 'Your browser will ask for the microphone when you join.',
    help: 'Allow it to talk; if you refuse you can still listen.',
  },
  denied: {
    title: 'Microphone access is blocked.',
    help:
      'To talk, allow the microphone for this site: click the lock or camera icon in the address bar, ' +
      'set Microphone to Allow, then leave and join again. You can still join and listen.',
  },
  'no-device': {
    title: 'No microphone was found.',
    help: 'Plug one in or pick another in Settings → Voice. You can still join and listen.',
  },
  busy: {
    title: 'The microphone is in use by another application.',
    help: 'Close the other app or choose another microphone in Settings → Voice. You can still listen.',
  },
  error: {
    title: 'The microphone could not be opened.',
    help: 'You can still join and listen.',
  },
};

/** Explains the microphone state and what to do about it; nothing when the mic is fine. */
export function MicNotice({ mic, listenOnly }: { mic: MicState; listenOnly: boolean }) {
  const message = kMessages[mic];
  if (!message) return null;
  const severe = mic !== 'prompt';
  return (
    <div
      className={`voice-banner ${severe ? 'voice-banner--error' : ''}`}
      role={severe ? 'alert' : 'note'}
      data-testid="mic-notice"
      data-mic={mic}
    >
      {severe && <MicOff aria-hidden size={16} />}
      <div>
        <strong>{message.title}</strong> {message.help}
        {listenOnly && <span className="voice-banner__extra"> You are listening only.</span>}
      </div>
    </div>
  );
}
