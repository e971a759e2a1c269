import { Mic, PhoneCall } from 'lucide-react';
import { useCallback, useEffect, useRef } from 'react';
import { insecureContextNotice } from '../../lib/voice/secureContext';
import { useModeration } from '../../hooks/useModeration';
import { useSettingsModal } from '../../hooks/useSettingsModal';
import { usePushToTalk } from '../../hooks/usePushToTalk';
import { useVoiceClient } from '../../hooks/useVoiceClient';
import { useVoiceRoster } from '../../hooks/useVoiceRoster';
import { useVoiceSettings } from '../../hooks/useVoiceSettings';
import type { StreamTabProps } from '../stream/StreamTabProps';
import { ErrorMessage } from '../ui/ErrorMessage';
import { ConnectionStatus } from './ConnectionStatus';
import { InsecureContextNotice } from './InsecureContextNotice';
import { MicNotice } from './MicNotice';
import { ParticipantList } from './ParticipantList';
import { toParticipantViews } from './participantViews';
import { ReconnectBanner } from './ReconnectBanner';
import { UnreachableNotice } from './UnreachableNotice';
import { VoiceControls } from './VoiceControls';
import { VoiceStatusChips } from './VoiceStatusChips';

/** The Voice tab: join, participants, controls and connection status of a stream's channel. */
export default function VoiceChatPanel({ stream, user }: StreamTabProps) {
  const enabled = stream.voice.enabled;
  const { client, state } = useVoiceClient(stream.id);
  const { roster } = useVoiceRoster(stream.id, enabled);
  const settings = useVoiceSettings();
  const modal = useSettingsModal();
  const moderation = useModeration(stream.id);
  const { phase } = state;
  // Off localhost over http there is no microphone API at all: say so instead of failing a join.
  const insecure = insecureContextNotice(window.isSecureContext, window.location.href);
  const secure = insecure === null;
  const unreachable = phase === 'ended' && state.failure === 'unreachable';
  const inCall = phase === 'connected' || phase === 'reconnecting';
  const onPtt = useCallback((pressed: boolean) => client.setPttPressed(pressed), [client]);
  usePushToTalk(inCall && state.pushToTalk, state.settings.ptt_key, onPtt);

  const autoJoined = useRef(false);
  const autoJoin = settings.settings?.auto_join === true;
  useEffect(() => {
    const canJoin = enabled && secure && client.getSnapshot().phase === 'idle';
    if (autoJoin && !autoJoined.current && canJoin) {
      autoJoined.current = true;
      void client.join();
    }
  }, [enabled, autoJoin, client, secure]);

  if (!enabled) {
    return (
      <section className="voice-panel" aria-label="Voice chat">
        <p className="voice-panel__off" role="note">
          <Mic aria-hidden size={18} /> Voice chat is turned off for this stream. Its host or an
          administrator can turn it on.
        </p>
      </section>
    );
  }

  const people = toParticipantViews({ state, roster, hostId: stream.host_id, selfId: user.id });
  const ready = !settings.isLoading;
  const ownRole = roster?.find((m) => m.user_id === user.id)?.role;
  const canModerate =
    user.role === 'admin' ||
    stream.host_id === user.id ||
    ownRole === 'host' ||
    ownRole === 'moderator';
  return (
    <section className="voice-panel" aria-label="Voice chat">
      <ReconnectBanner state={state} onRetry={() => client.retryNow()} />
      <div className="voice-panel__top">
        <ConnectionStatus state={state} />
        <VoiceStatusChips state={state} />
      </div>
      {phase === 'ended' && state.error && !unreachable && (
        <ErrorMessage error={new Error(state.error)} />
      )}
      {phase === 'idle' && state.error && (
        <ErrorMessage error={new Error(`Could not join: ${state.error}`)} />
      )}
      <MicNotice mic={state.mic} listenOnly={inCall && state.listenOnly} />
      {insecure && !inCall ? (
        <InsecureContextNotice notice={insecure} />
      ) : unreachable ? (
        <UnreachableNotice busy={!ready} onRetry={() => void client.join()} />
      ) : inCall ? (
        <VoiceControls
          state={state}
          onMute={(muted) => client.setMuted(muted)}
          onDeafen={(deafened) => client.setDeafened(deafened)}
          onDevice={(deviceId) => settings.save({ input_device_id: deviceId })}
          onLeave={() => void client.leave()}
          onSettings={() => modal.open('voice')}
        />
      ) : (
        <div className="voice-panel__join">
          <button
            type="button"
            className="button button--primary"
            disabled={!ready || phase === 'joining'}
            onClick={() => void client.join()}
          >
            <PhoneCall aria-hidden size={18} />
            {phase === 'joining'
              ? 'Joining…'
              : state.mic === 'denied'
                ? 'Join to listen'
                : 'Join voice'}
          </button>
          {!ready && <span className="voice-panel__hint">Loading your voice settings…</span>}
        </div>
      )}
      <ParticipantList
        people={people}
        inCall={inCall}
        onVolume={(userId, percent) => client.setParticipantVolume(userId, percent)}
        onModerate={canModerate ? moderation.run : undefined}
      />
    </section>
  );
}
