// Presence and rosters of voice rooms over a StateBackend, with an injectable clock:
//   voice:rooms:<stream_id>     hash: version, max_members, m:<user> (member JSON),
//                                     seat:<user> (a timed-out member's seat, kept for the grace)
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

  boost::json::object ToJson() const;  // {user_id, username, role, muted, muted_by_host, joined_at}
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

enum class MuteKind {
  kChanged,      // written and versioned: publish member_updated
  kUnchanged,    // already so: nothing written, nothing to publish
  kMutedByHost,  // a self-unmute refused: a moderator's mute stands
  kAbsent,       // not a member
};

struct MuteOutcome {
  MuteKind kind = MuteKind::kAbsent;
  Member member;
  std::int64_t version = 0;
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

  // Seats `candidate` (its joined_at is set here) unless the room is full.
  JoinOutcome Join(std::int64_t stream_id, Member candidate, int max_members);
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
  MuteOutcome SetMuted(std::int64_t stream_id, std::int64_t user_id, bool muted, bool by_host);
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
