// What a room tells each participant's signaling connection (the /rtc WebSocket), and the member
// view it shows. Built on the media worker on control-plane changes only (never per packet).
// Thread affinity: plain values; an EventSink is invoked on the room's worker thread and must
// post to its own executor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace chorus::sfu {

// Who muted a member: nobody, themself, or a host/moderator (server mute).
enum class MutedBy { kNone, kSelf, kHost };

// The stable wire name of `by`: "" (none), "self", "host".
const char* MutedByName(MutedBy by);

struct MemberInfo {
  std::int64_t user_id = 0;
  std::string username;
  bool muted = false;
  MutedBy muted_by = MutedBy::kNone;
  bool speaking = false;
  bool pinned = false;  // in the room's pinned list (Sfu::SetPinned)
};

struct SpeakerLevel {
  std::int64_t user_id = 0;
  double level = 0.0;  // 0..1, smoothed loudness
};

// The current speakers changed (sent at most ~10 times a second, only on change).
struct SpeakersEvent {
  std::vector<SpeakerLevel> speakers;
};

// Receive slot `index` now carries `user_id` (nullopt: nobody).
struct SlotEvent {
  std::size_t index = 0;
  std::optional<std::int64_t> user_id;
};

struct MemberEvent {
  enum class Kind { kJoined, kLeft, kUpdated };
  Kind kind = Kind::kJoined;
  MemberInfo member;
};

struct MutedEvent {
  std::int64_t user_id = 0;
  bool muted = false;
  MutedBy by = MutedBy::kNone;
};

// This participant's view of its media, every 2 s.
struct StatsEvent {
  std::optional<double> rtt_ms;  // from the browser's receiver reports on our slots
  double loss_up = 0.0;          // fraction lost of what it sends us (sequence gaps)
  double loss_down = 0.0;        // fraction lost it reports on our slots
  double jitter_ms = 0.0;        // of its upstream, as we receive it
  std::uint64_t packets_in = 0, packets_out = 0, bytes_in = 0, bytes_out = 0;
};

// kClosed: the server ended the participant's membership (left through the API, logged out,
// timed out of presence, voice turned off); the message says which.
enum class RemovalReason { kLeft, kTimeout, kDtlsFailed, kKicked, kReplaced, kClosed };

// The stable wire name: "left", "timeout", "dtls_failed", "kicked", "replaced", "closed".
const char* RemovalReasonName(RemovalReason reason);

// The participant was removed; no event follows. `message` is e.g. the kick reason.
struct RemovedEvent {
  RemovalReason reason = RemovalReason::kLeft;
  std::string message;
};

using SfuEvent =
    std::variant<SpeakersEvent, SlotEvent, MemberEvent, MutedEvent, StatsEvent, RemovedEvent>;

// Receives one participant's events on the room's worker thread.
using EventSink = std::function<void(const SfuEvent&)>;

}  // namespace chorus::sfu
