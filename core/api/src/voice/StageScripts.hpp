// The atomic stage operations of RoomState as state scripts (Lua on Redis, the same steps under
// the lock in process): raising a hand, making a member a speaker or a listener, switching a
// room's mode, and changing a member's role. Each reads and writes the room hash in one step.
//   KEYS[1] = voice:rooms:<id> (hash)
// Every script returns {outcome, member JSON?, version?} as strings.
#pragma once

#include "state/StateBackend.hpp"

namespace chorus::voice::scripts {

// ARGV: uid, raised ("1"|"0"), now_ms, privileged ("1"|"0"). Raising needs a stage room
// (hash field mode) and a listener; unless privileged, a raise within slow_mode_seconds of the
// last one (hash field slow_hand:<uid>) is refused with the wait. Lowering always passes.
// → {"changed", member, version} | {"unchanged", member} | {"not_stage"} |
//   {"already_speaker", member} | {"slow_mode", member, retry_ms} | {"absent"}
extern const state::StateScript kRaiseHand;
// ARGV: uid, allow ("1"|"0"). allow: speaker, hand cleared, mute unchanged; otherwise a
// listener, muted, hand cleared (a moderator's mute stays). Needs a stage room.
// → {"changed", member, version} | {"unchanged", member} | {"not_stage"} | {"absent"}
extern const state::StateScript kSetSpeaker;
// ARGV: mode ("open"|"stage"), then the user ids of the room's hosts and moderators. Writes the
// hash field mode, then: stage → hosts/moderators are speakers, everyone else a muted listener;
// open → everyone a speaker, hands cleared (mutes unchanged). Bumps the version once per
// changed member. → {"ok", version, (changed member JSON, its version)…}
extern const state::StateScript kSetMode;
// ARGV: uid, role ("host"|"moderator"|"member"). A host or moderator also becomes a speaker
// (hand cleared); a member keeps what they were.
// → {"changed", member, version} | {"unchanged", member} | {"absent"}
extern const state::StateScript kSetRole;

}  // namespace chorus::voice::scripts
