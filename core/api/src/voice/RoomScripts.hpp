// The atomic room-state operations of RoomState as state scripts (Lua on Redis, the same steps
// under the lock in process): a join's capacity check and seat write, a heartbeat, a leave, a
// mute, a sweep eviction. Each keeps the roster hash and the presence set in agreement, so no
// interleaving of nodes leaves a ghost member or seats more than max_members.
//   KEYS[1] = voice:rooms:<id> (hash), KEYS[2] = voice:presence:<id> (sorted set)
// Every script returns {outcome, member JSON?, version?} as strings.
#pragma once

#include "state/StateBackend.hpp"

namespace chorus::voice::scripts {

// ARGV: uid, now_ms, max_members, member JSON with "joined_at_ms":0 (the template),
// privileged ("1": a host or moderator, seated as the template says). Unless privileged, a new
// seat in a stage room is a listener (speaker:false, muted), and one in a room whose unmuted
// members reach max_speakers (hash field, 0 = no limit) is muted.
// → {"present", member, version} | {"full"} | {"joined"|"restored", member, version}
extern const state::StateScript kJoin;
// ARGV: uid, score. Sets the member's presence score when it is a member.
// → {"ok"} | {"absent"}
extern const state::StateScript kTouch;
// ARGV: uid. → {"left", member, version} | {"absent"}
extern const state::StateScript kLeave;
// ARGV: uid, muted ("1"|"0"), by_host ("1"|"0"), privileged ("1"|"0": the target is a host or
// moderator), now_ms. A self-unmute never clears a host mute; an unmute of a listener
// (speaker:false) is refused; unless privileged, an unmute is refused when the other unmuted
// members already reach max_speakers, and a self-unmute within slow_mode_seconds of the last one
// (hash field slow_unmute:<uid>) is refused with the wait. Check and write are one step, so two
// concurrent unmutes can never both pass the limit.
// → {"changed", member, version} | {"unchanged", member} | {"muted_by_host", member} |
//   {"not_a_speaker", member} | {"speaker_limit", member} | {"slow_mode", member, retry_ms} |
//   {"absent"}
extern const state::StateScript kSetMuted;
// ARGV: uid, cutoff_ms, now_ms. Evicts the member when its presence is at or before the cutoff,
// keeping its seat for the rejoin grace. → {"evicted", member, version} | {"fresh"} | {"gone"}
extern const state::StateScript kEvict;

}  // namespace chorus::voice::scripts
