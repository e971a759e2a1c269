import { Mic, PhoneCall } from 'lucide-react';
import { useCallback, useEffect, useRef } from 'react';
import { insecureContextNotice } from '../../lib/voice/secureContext';
import { useModeration } from '../../hooks/useModeration';
import { useSettingsModal } from '../../hooks/useSettingsModal';
import { usePushToTalk } from '../../hooks/usePushToTalk';
import { useVoiceClient } from '../../hooks/useVoiceClient';
import { useStageActions } from '../../hooks/useStageActions';
import { useVoiceRoom } from '../../hooks/useVoiceRoom';
import { useVoiceRoster } from '../../hooks/useVoiceRoster';
import { useVoiceSettings } from '../../hooks/useVoiceSettings';
import { useVoiceStage } from '../../hooks/useVoiceStage';
import type { StreamTabProps } from '../stream/StreamTabProps';
import { ErrorMessage } from '../ui/ErrorMessage';
import { ConnectionStatus } from './ConnectionStatus';
import { HandQueue } from './HandQueue';
import { InsecureContextNotice } from './InsecureContextNotice';
import { MicNotice } from './MicNotice';
import { ParticipantList } from './ParticipantList';
import { toParticipantViews } from './participantViews';
import { ReconnectBanner } from './ReconnectBanner';
import { RoomControls } from './RoomControls';
import { StageNotices } from './StageNotices';
import { UnreachableNotice } from './UnreachableNotice';
import { VoiceControls } from './VoiceControls';
import { VoiceStatusChips } from './VoiceStatusChips';

/**
 * The Voice tab: join, participants (speakers and audience on a stage), controls, connection
 * status, and for hosts and moderators the hand queue and Room controls.
 */
export default function VoiceChatPanel({ stream, user }: StreamTabProps) {
  const enabled = stream.voice.enabled;
  const { client, state } = useVoiceClient(stream.id);
  const { roster } = useVoiceRoster(stream.id, enabled);
  const settings = useVoiceSettings();
  const modal = useSettingsModal();
  const moderation = useModeration(stream.id);
  const room = useVoiceRoom(stream.id, enabled).data;
  const stageActions = useStageActions(stream.id);
  const stage = useVoiceStage({ stream, user, roster, room, state, now: client.now });
  const { phase } = state;
  // Off localhost over http there is no microphone API at all: say so instead of failing a join.
  const insecure = insecureContextNotice(window.isSecureContext, window.location.href);
  const secure = insecure === null;
  const unreachable = phase === 'ended' && state.failure === 'unreachable';
  const inCall = phase === 'connected' || phase === 'reconnecting';
  const onPtt = useCallback((pressed: boolean) => client.setPttPressed(pressed), [client]);
  usePushToTalk(inCall && state.pushToTalk, state.settings.ptt_key, onPtt);

  // A listener never transmits: if the server's mute has not reached the call yet, mute here.
  const mustMute = inCall && stage.listener && !state.muted;
  useEffect(() => {
    if (mustMute) client.setMuted(true);
  }, [mustMute, client]);

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

  const people = toParticipantViews({
    state,
    roster,
    hostId: stream.host_id,
    selfId: user.id,
    room,
  });
  const ready = !settings.isLoading;
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
          unmuteWaitSeconds={stage.waitSeconds}
          unmuteBlockedReason={stage.blockedReason}
          hand={
            stage.listener
              ? { raised: stage.handRaised, onToggle: stageActions.setHand }
              : undefined
          }
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
      <StageNotices refusal={inCall ? state.refusal : null} announcement={stage.announcement} />
      {stage.stage && stage.moderator && (
        <HandQueue queue={stage.queue} onSpeak={stageActions.speak} />
      )}
      <ParticipantList
        people={people}
        inCall={inCall}
        stage={stage.stage}
        onVolume={(userId, percent) => client.setParticipantVolume(userId, percent)}
        actions={
          stage.moderator
            ? {
                onModerate: moderation.run,
                onSpeak: stage.stage ? stageActions.speak : undefined,
              }
            : undefined
        }
      />
      {stage.moderator && (
        <RoomControls
          streamId={stream.id}
          room={room}
          roster={roster ?? []}
          canAppoint={stage.canAppoint}
        />
      )}
    </section>
  );
}
