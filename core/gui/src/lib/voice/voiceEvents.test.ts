import { describe, expect, it, vi } from 'vitest';
import { flush } from './testing/fakes';
import type { RosterEntry } from './types';
import { applyRosterEvent, watchVoiceEvents } from './voiceEvents';

const ann: RosterEntry = {
  user_id: 2,
  username: 'ann',
  role: 'member',
  muted: false,
  joined_at: 't',
};
const bob: RosterEntry = {
  user_id: 3,
  username: 'bob',
  role: 'host',
  muted: false,
  joined_at: 't',
};

class FakeEventSource {
  listeners = new Map<string, ((e: { data: string }) => void)[]>();
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  addEventListener(type: string, fn: (e: { data: string }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  emit(type: string, data: unknown) {
    this.listeners.get(type)?.forEach((fn) => fn({ data: JSON.stringify(data) }));
  }
  close() {
    this.closed = true;
  }
}

describe('applyRosterEvent', () => {
  it('adds, updates and removes members', () => {
    let r = applyRosterEvent([], { type: 'member_joined', member: ann });
    r = applyRosterEvent(r, { type: 'member_joined', member: bob });
    r = applyRosterEvent(r, { type: 'member_updated', member: { ...ann, muted: true } });
    expect(r).toEqual([{ ...ann, muted: true }, bob]);
    expect(applyRosterEvent(r, { type: 'member_left', user_id: 2 })).toEqual([bob]);
  });
});

describe('watchVoiceEvents', () => {
  it('loads the roster, applies events, refetches on resync, forwards settings, closes', async () => {
    let source!: FakeEventSource;
    const fetchRoster = vi.fn(async () => [ann]);
    const onRoster = vi.fn();
    const onSettings = vi.fn();
    const stop = watchVoiceEvents(
      7,
      { onRoster, onSettings },
      {
        createEventSource: (url) => (source = new FakeEventSource(url)) as unknown as EventSource,
        fetchRoster,
      },
    );
    expect(source.url).toBe('/api/voice/streams/7/events');
    await flush();
    expect(onRoster).toHaveBeenLastCalledWith([ann]);
    source.emit('member_joined', { member: bob, version: 3 });
    expect(onRoster).toHaveBeenLastCalledWith([ann, bob]);
    source.emit('member_left', { user_id: 2, reason: 'leave' });
    expect(onRoster).toHaveBeenLastCalledWith([bob]);
    source.emit('settings_updated', { settings: { input_gain: 150 } });
    expect(onSettings.mock.calls[0]![0]).toMatchObject({ input_gain: 150, output_volume: 100 });
    source.emit('resync', { reason: 'gap' });
    await flush();
    expect(fetchRoster).toHaveBeenCalledTimes(2);
    expect(onRoster).toHaveBeenLastCalledWith([ann]);
    stop();
    expect(source.closed).toBe(true);
  });

  it('forwards room_updated rooms and asks for a reload on resync and on reconnect', () => {
    let source!: FakeEventSource;
    const onRoom = vi.fn();
    const onResync = vi.fn();
    watchVoiceEvents(
      7,
      { onRoster: vi.fn(), onSettings: vi.fn(), onRoom, onResync },
      {
        createEventSource: (url) => (source = new FakeEventSource(url)) as unknown as EventSource,
        fetchRoster: vi.fn(async () => []),
      },
    );
    const room = { room_id: 'stream-7', stream_id: 7, max_members: 50, mode: 'stage' };
    source.emit('room_updated', { room, version: 4 });
    source.emit('room_updated', { nope: true });
    expect(onRoom).toHaveBeenCalledTimes(1);
    expect(onRoom).toHaveBeenCalledWith(room);
    source.emit('resync', { reason: 'gap' });
    source.onopen?.();
    expect(onResync).toHaveBeenCalledTimes(2);
  });
});
