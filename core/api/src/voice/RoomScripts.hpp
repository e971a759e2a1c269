// The atomic room-state operations of RoomState as state scripts (Lua on Redis, the same steps
// under the lock in process): a join's capacity check and seat write, a heartbeat, a leave, a
// mute, a sweep eviction. Each keeps the roster hash and the presence set in agreement, so no
// interleaving of nodes leaves a ghost member or seats more than max_members.
//   KEYS[1] = voice:rooms:<id> (hash), KEYS[2] = voice:presence:<id> (sorted set)
// Every script returns {outcome, member JSON?, version?} as strings.
#pragma once

#include "state/StateBackend.hpp"

namespace chorus::voice::scripts {

// ARGV: uid, now_ms, max_members, member JSON with "joined_at_ms":0 (the template).
// → {"present", member, version} | {"full"} | {"joined"|"restored", member, version}
extern const state::StateScript kJoin;
// ARGV: uid, score. Sets the member's presence score when it is a member.
// → {"ok"} | {"absent"}
extern const state::StateScript kTouch;
// ARGV: uid. → {"left", member, version} | {"absent"}
extern const state::StateScript kLeave;
// ARGV: uid, muted ("1"|"0"), by_host ("1"|"0"). A self-unmute never clears a host mute.
// → {"changed", member, version} | {"unchanged", member} | {"muted_by_host", member} | {"absent"}
extern const state::StateScript kSetMuted;
// ARGV: uid, cutoff_ms, now_ms. Evicts the member when its presence is at or before the cutoff,
// keeping its seat for the rejoin grace. → {"evicted", member, version} | {"fresh"} | {"gone"}
extern const state::StateScript kEvict;

}  // namespace chorus::voice::scripts
