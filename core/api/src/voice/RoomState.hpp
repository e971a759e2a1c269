// Presence and rosters of voice rooms over a StateBackend, with an injectable clock:
//   voice:rooms:<stream_id>     hash: version, max_members, m:<user> (member JSON),
//                                     seat:<user> (a timed-out member's seat, kept for the grace),
//                                     mode, max_speakers, slow_mode_seconds, pinned (the room's
//                                     settings, a cache of voice_rooms), slow_unmute:<user> and
//                                     slow_hand:<user> (last self-unmute / hand raise, epoch ms)
//   voice:presence:<stream_id>  sorted set: user id → last heartbeat (epoch ms)
// A member whose heartbeats stop for presence_timeout is evicted by Sweep (ZRANGEBYSCORE then
// ZREMRANGEBYSCORE with the same cutoff). A join while still present (a reconnect) is silent
// and keeps the seat; a join within rejoin_grace after a timeout restores the seat (joined_at).
// Every change is one atomic state script (voice/RoomScripts.hpp), so concurrent joins through
// any number of nodes never seat more than max_members and a mute racing a leave leaves no ghost.
// Thread-safe (stateless apart from the backend); every call blocks on the backend and may
// throw state::StateUnavailable.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "state/StateBackend.hpp"
#include "util/Time.hpp"

namespace chorus::voice {

struct Member {
  std::int64_t user_id = 0;
  std::string username;
  std::string role;  // host|moderator|member
  bool muted = false;
  bool muted_by_host = false;
  std::int64_t joined_at_ms = 0;
  bool speaker = true;                 // always true in open rooms
  std::int64_t hand_raised_at_ms = 0;  // 0 = no hand raised

  // {user_id, username, role, muted, muted_by_host, joined_at, speaker, hand_raised_at}
  boost::json::object ToJson() const;
  std::string Serialize() const;
  static std::optional<Member> Parse(const std::string& text);
};

enum class JoinKind {
  kJoined,    // new member: publish member_joined
  kPresent,   // already present (reconnect, second tab): silent, seat kept
  kRestored,  // back within the grace after a timeout: seat restored, publish member_joined
  kFull,      // the room has max_members members
};

struct JoinOutcome {
  JoinKind kind = JoinKind::kJoined;
  Member member;
  std::int64_t version = 0;
};

// The outcome of a change to one member (mute, hand, speaker, role).
enum class MuteKind {
  kChanged,         // written and versioned: publish member_updated
  kUnchanged,       // already so: nothing written, nothing to publish
  kMutedByHost,     // a self-unmute refused: a moderator's mute stands
  kAbsent,          // not a member
  kNotASpeaker,     // an unmute of a stage listener refused
  kSpeakerLimit,    // an unmute refused: max_speakers members are unmuted already
  kSlowMode,        // refused by slow mode: retry_after_ms
  kNotStage,        // a stage operation in an open room
  kAlreadySpeaker,  // a speaker raising a hand
};

struct MuteOutcome {
  MuteKind kind = MuteKind::kAbsent;
  Member member;
  std::int64_t version = 0;
  std::int64_t retry_after_ms = 0;  // kSlowMode
};

// A room's settings as the state backend caches them (durable in voice_rooms).
struct RoomConfig {
  std::string mode = "open";  // open|stage
  int max_speakers = 0;       // 0 = no limit
  int slow_mode_seconds = 0;  // 0 = off
  std::vector<std::int64_t> pinned;
};

struct ModeOutcome {
  std::int64_t version = 0;
  // Members whose entry the switch changed, each with the version of its change.
  std::vector<std::pair<Member, std::int64_t>> changed;
};

struct Eviction {
  std::int64_t stream_id = 0;
  Member member;
  std::int64_t version = 0;
};

class RoomState {
 public:
  RoomState(state::StateBackend& state, util::Clock clock, std::chrono::seconds presence_timeout,
            std::chrono::seconds rejoin_grace);

  static std::string RoomKey(std::int64_t stream_id);
  static std::string PresenceKey(std::int64_t stream_id);

  // Seats `candidate` (its joined_at is set here) unless the room is full. Unless `privileged`
  // (a host or moderator), a new seat in a stage room is a muted listener and one in a room at
  // its speaker limit is muted.
  JoinOutcome Join(std::int64_t stream_id, Member candidate, int max_members,
                   bool privileged = false);
  // Records a heartbeat; false when the user is not a member.
  bool Heartbeat(std::int64_t stream_id, std::int64_t user_id);
  // Backdates the member's last heartbeat so the sweep evicts it `within` from now unless it
  // heartbeats or joins again first (a page reload keeps its seat silently); false when the user
  // is not a member.
  bool ExpireWithin(std::int64_t stream_id, std::int64_t user_id, std::chrono::seconds within);
  // Removes the member; returns it and the new version, or nullopt when not a member.
  std::optional<std::pair<Member, std::int64_t>> Leave(std::int64_t stream_id,
                                                       std::int64_t user_id);
  // Evicts every member whose last heartbeat is older than presence_timeout, in every room, and
  // forgets seats older than rejoin_grace. Returns the evicted members.
  std::vector<Eviction> Sweep();

  // The room's members, earliest joined first.
  std::vector<Member> Roster(std::int64_t stream_id);
  std::optional<Member> FindMember(std::int64_t stream_id, std::int64_t user_id);
  std::int64_t MemberCount(std::int64_t stream_id);
  // The room version (bumped by every change; 0 for a room never joined).
  std::int64_t Version(std::int64_t stream_id);
  std::int64_t BumpVersion(std::int64_t stream_id);
  // Sets the member's mute flag, atomically against a leave (no ghost member): by_host sets or
  // lifts a moderator's mute; a self-unmute never lifts one (kMutedByHost); only a real change
  // writes and bumps the version.
  // An unmute is refused for a listener (kNotASpeaker) and, unless the target is `privileged`,
  // when it would pass max_speakers (kSpeakerLimit) or, for a self-unmute, within the room's
  // slow mode of the last one (kSlowMode).
  MuteOutcome SetMuted(std::int64_t stream_id, std::int64_t user_id, bool muted, bool by_host,
                       bool privileged = false);
  // Raises or lowers the member's hand (stage rooms; see scripts::kRaiseHand).
  MuteOutcome RaiseHand(std::int64_t stream_id, std::int64_t user_id, bool raised, bool privileged);
  // Makes the member a speaker (allow) or a muted listener; hand cleared (stage rooms).
  MuteOutcome SetSpeaker(std::int64_t stream_id, std::int64_t user_id, bool allow);
  // Sets the member's roster role; a host or moderator becomes a speaker too.
  MuteOutcome SetRole(std::int64_t stream_id, std::int64_t user_id, const std::string& role);
  // Switches the room's mode and every member's entry with it (see scripts::kSetMode);
  // `privileged`: the user ids of the room's hosts and moderators.
  ModeOutcome SetMode(std::int64_t stream_id, const std::string& mode,
                      const std::vector<std::int64_t>& privileged);
  // The room's cached settings, nullopt when not cached (never set, or the backend lost them).
  std::optional<RoomConfig> Config(std::int64_t stream_id);
  // Whether the room's settings are cached (one field read).
  bool HasConfig(std::int64_t stream_id);
  // Caches the room's settings (mode included; use SetMode to switch a live room).
  void SetConfig(std::int64_t stream_id, const RoomConfig& config);
  // The room's max_members override, if set.
  std::optional<int> MaxMembers(std::int64_t stream_id);
  void SetMaxMembers(std::int64_t stream_id, int max_members);
  // Stream ids with at least one member.
  std::vector<std::int64_t> ActiveRooms();

 private:
  state::StateBackend& state_;
  util::Clock clock_;
  std::chrono::seconds presence_timeout_;
  std::chrono::seconds rejoin_grace_;
};

}  // namespace chorus::voice
