// The voice channel's Server-Sent Events (GET …/events) and a roster kept from them, used
// before joining (who is in the channel) and for settings changes made in other sessions.
import { normalizeSettings } from './settings';
import type { RosterEntry, VoiceRoom, VoiceSettings } from './types';

export interface VoiceEventHandlers {
  /** The roster changed (after the first load, an event, or a resync). */
  onRoster(roster: RosterEntry[]): void;
  /** The same user's settings changed in another session. */
  onSettings(settings: VoiceSettings): void;
  /** The stream is open (true) or reconnecting (false). */
  onConnection?(open: boolean): void;
  /** The room object changed (`room_updated`). */
  onRoom?(room: VoiceRoom): void;
  /** Events may have been missed (reconnect, `resync`): reload whatever is kept beside the roster. */
  onResync?(): void;
}

export interface VoiceEventsDeps {
  createEventSource: (url: string) => EventSource;
  fetchRoster: (streamId: number) => Promise<RosterEntry[]>;
}

type RosterEvent =
  | { type: 'member_joined'; member: RosterEntry }
  | { type: 'member_updated'; member: RosterEntry }
  | { type: 'member_left'; user_id: number };

/** Returns the roster after one SSE member event (pure). */
export function applyRosterEvent(
  roster: readonly RosterEntry[],
  event: RosterEvent,
): RosterEntry[] {
  if (event.type === 'member_left') return roster.filter((m) => m.user_id !== event.user_id);
  const at = roster.findIndex((m) => m.user_id === event.member.user_id);
  if (at < 0) return event.type === 'member_joined' ? [...roster, event.member] : [...roster];
  const copy = [...roster];
  copy[at] = event.member;
  return copy;
}

function parse(data: unknown): Record<string, unknown> | null {
  if (typeof data !== 'string') return null;
  try {
    const v: unknown = JSON.parse(data);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Subscribes to the stream's voice events: loads the roster, applies member events, reloads on
 * `resync` and on reconnect, forwards `settings_updated`. Returns the function that stops it.
 */
export function watchVoiceEvents(
  streamId: number,
  handlers: VoiceEventHandlers,
  deps: VoiceEventsDeps,
): () => void {
  let roster: RosterEntry[] = [];
  let stopped = false;
  let loadSeq = 0;
  const load = () => {
    const seq = ++loadSeq;
    deps
      .fetchRoster(streamId)
      .then((fresh) => {
        if (stopped || seq !== loadSeq) return;
        roster = fresh;
        handlers.onRoster(roster);
      })
      .catch(() => {});
  };
  const source = deps.createEventSource(
    `/api/voice/streams/${encodeURIComponent(String(streamId))}/events`,
  );
  const onMember = (type: RosterEvent['type']) => (event: MessageEvent) => {
    const data = parse(event.data);
    if (!data) return;
    if (type === 'member_left') {
      if (typeof data.user_id !== 'number') return;
      roster = applyRosterEvent(roster, { type, user_id: data.user_id });
    } else {
      const member = data.member as RosterEntry | undefined;
      if (!member || typeof member.user_id !== 'number') return;
      roster = applyRosterEvent(roster, { type, member });
    }
    loadSeq++; // A load in flight is older than this event.
    handlers.onRoster(roster);
  };
  source.addEventListener('member_joined', onMember('member_joined') as EventListener);
  source.addEventListener('member_updated', onMember('member_updated') as EventListener);
  source.addEventListener('member_left', onMember('member_left') as EventListener);
  source.addEventListener('resync', () => {
    handlers.onResync?.();
    load();
  });
  source.addEventListener('room_updated', ((event: MessageEvent) => {
    const data = parse(event.data);
    const room = data?.room as VoiceRoom | undefined;
    if (room && typeof room === 'object' && typeof room.max_members === 'number')
      handlers.onRoom?.(room);
  }) as EventListener);
  source.addEventListener('settings_updated', ((event: MessageEvent) => {
    const data = parse(event.data);
    if (data && data.settings) handlers.onSettings(normalizeSettings(data.settings));
  }) as EventListener);
  source.onopen = () => {
    handlers.onConnection?.(true);
    handlers.onResync?.();
    load();
  };
  source.onerror = () => handlers.onConnection?.(false);
  load();
  return () => {
    stopped = true;
    source.close();
  };
}
