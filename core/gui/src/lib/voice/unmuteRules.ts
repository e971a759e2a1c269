// Why an unmute was refused and when the next one is allowed (docs/api.md "Speaker limit",
// "Stage", "Slow mode"). Pure; the VoiceClient records refusals, the panel shows them.

export type UnmuteRefusalCode = 'speaker_limit' | 'not_a_speaker' | 'slow_mode' | 'rate_limited';

const kRefusalCodes: readonly string[] = [
  'speaker_limit',
  'not_a_speaker',
  'slow_mode',
  'rate_limited',
];

/** Returns true for the /rtc error codes that refuse an unmute (the member stays muted). */
export function isUnmuteRefusal(code: string): code is UnmuteRefusalCode {
  return kRefusalCodes.includes(code);
}

/** Returns whole seconds to wait, rounded up (0 when none). */
export function waitSeconds(ms: number | null | undefined): number {
  return ms && ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/** Returns the sentence shown when an unmute is refused with `code`. */
export function describeUnmuteRefusal(code: UnmuteRefusalCode, retryAfterMs?: number): string {
  const wait = waitSeconds(retryAfterMs);
  const again = wait > 0 ? ` You can try again in ${wait} s.` : '';
  switch (code) {
    case 'speaker_limit':
      return 'Could not unmute: the room has reached its speaker limit. Try again when someone mutes.';
    case 'not_a_speaker':
      return 'Could not unmute: you are in the audience. Raise your hand and wait for a host or moderator to approve it.';
    case 'slow_mode':
      return `Could not unmute: slow mode is on.${again || ' Wait a moment and try again.'}`;
    case 'rate_limited':
      return `Could not unmute: too many mute changes.${again || ' Wait a moment and try again.'}`;
  }
}

export interface UnmuteGateInput {
  /** When the user last unmuted (ms), or null. */
  lastUnmuteAt: number | null;
  /** The room's slow mode, 0 = off. */
  slowModeSeconds: number;
  /** Until when a refusal said to wait (ms), or null. */
  refusedUntil: number | null;
  /** Hosts and moderators are not slowed. */
  exempt: boolean;
}

/** Returns when the next unmute is allowed (ms), or null when nothing holds it back. */
export function nextUnmuteAt({
  lastUnmuteAt,
  slowModeSeconds,
  refusedUntil,
  exempt,
}: UnmuteGateInput): number | null {
  let at = refusedUntil ?? 0;
  if (!exempt && slowModeSeconds > 0 && lastUnmuteAt !== null)
    at = Math.max(at, lastUnmuteAt + slowModeSeconds * 1000);
  return at > 0 ? at : null;
}

/** Returns the whole seconds left until `until` at `now` (0 when past or null). */
export function secondsLeft(until: number | null, now: number): number {
  return until === null ? 0 : waitSeconds(until - now);
}
