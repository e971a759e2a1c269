// Voice membership: joins, heartbeats, leaves, rosters, moderation, room settings, voice
// settings, room tokens and the periodic presence sweep. Durable records go to the database
// (voice_rooms, voice_members, voice_kicks, voice_settings, audit_log), ephemeral ones to the
// state backend (RoomState, TokenRegistry), events through EventHub.
// Thread-safe; the coroutines run on any I/O thread and do all blocking work on the pool.
// Failures of the state backend surface as ApiError 503 state_unavailable, and nothing durable
// is written when the backend is down at the start of a request.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "app/Services.hpp"
#include "auth/SessionService.hpp"
#include "http/ApiError.hpp"
#include "http/JsonBody.hpp"
#include "ops/Log.hpp"
#include "state/StateBackend.hpp"
#include "state/StateRateLimiter.hpp"
#include "store/VoiceRecords.hpp"
#include "voice/EventHub.hpp"
#include "voice/MediaControl.hpp"
#include "voice/RoomState.hpp"
#include "voice/ToggleBucket.hpp"
#include "voice/TokenRegistry.hpp"
#include "voice/tokens.hpp"

namespace chorus::voice {

// The result of a join, as the API returns it.
struct JoinResult {
  boost::json::object body;
};

// What an /rtc join is admitted with: the token's claims and the member's current roster entry.
struct RtcAdmission {
  RoomClaims claims;
  Member member;
  std::vector<Member> roster;  // the room's members at admission (their stage fields)
};

// A PATCH …/room, each field already type-checked (ranges are checked again by UpdateRoom).
struct RoomPatch {
  std::optional<int> max_members;
  std::optional<int> max_speakers;  // 0 = no limit
  std::optional<std::string> mode;  // open|stage
  std::optional<int> slow_mode_seconds;
  std::optional<std::vector<std::int64_t>> pinned;
  bool Empty() const {
    return !max_members && !max_speakers && !mode && !slow_mode_seconds && !pinned;
  }
};

class VoiceService {
 public:
  // Reads or creates the token secret (config, else the kv table) — blocking, call at start.
  VoiceService(boost::asio::io_context& ioc, app::Services& services, state::StateBackend& state,
               util::Clock clock = util::SystemClock());
  ~VoiceService();

  // Subscribes to events, starts the sweep timer, registers the logout hook, and (with the
  // in-process backend, whose state died with the last process) closes stale memberships.
  void Start();
  // Stops the sweep and ends SSE connections.
  void Stop();

  // The media engine hooks (may be null).
  void SetMediaControl(MediaControl* media) { media_ = media; }

  // --- API operations (each throws ApiError) ---
  boost::asio::awaitable<boost::json::object> Join(auth::AuthedUser user, std::int64_t stream_id,
                                                   std::string sfu_url);
  // Returns whether the user was a member. `page_hide`: the page is going away (reload,
  // navigation); the seat is kept for the rejoin grace, so a quick rejoin publishes nothing,
  // and the member times out after the grace otherwise.
  boost::asio::awaitable<bool> Leave(auth::AuthedUser user, std::int64_t stream_id,
                                     bool page_hide = false);
  boost::asio::awaitable<void> Heartbeat(auth::AuthedUser user, std::int64_t stream_id);
  boost::asio::awaitable<boost::json::array> Roster(std::int64_t stream_id);
  // {room, roster, version}.
  boost::asio::awaitable<boost::json::object> State(std::int64_t stream_id);
  // action: "mute" | "unmute" | "kick".
  boost::asio::awaitable<boost::json::object> Moderate(auth::AuthedUser actor,
                                                       std::int64_t stream_id,
                                                       std::int64_t target_id, std::string action);
  // PATCH …/room (moderator powers): returns the room object; publishes room_updated and a
  // member_updated for each member a mode switch changed; pins go to the SFU.
  boost::asio::awaitable<boost::json::object> UpdateRoom(auth::AuthedUser actor,
                                                         std::int64_t stream_id, RoomPatch patch);
  // POST …/members/{user}/role (the host or an administrator): role "moderator" | "member".
  boost::asio::awaitable<boost::json::object> SetRole(auth::AuthedUser actor,
                                                      std::int64_t stream_id,
                                                      std::int64_t target_id, std::string role);
  // GET …/moderators: {moderators:[{user_id, username, appointed_by, appointed_at}]}.
  boost::asio::awaitable<boost::json::object> Moderators(std::int64_t stream_id);
  // POST …/hand: the caller raises or lowers their hand; {member}.
  boost::asio::awaitable<boost::json::object> RaiseHand(auth::AuthedUser user,
                                                        std::int64_t stream_id, bool raised);
  // POST …/members/{user}/speak (moderator powers): {member}.
  boost::asio::awaitable<boost::json::object> Speak(auth::AuthedUser actor, std::int64_t stream_id,
                                                    std::int64_t target_id, bool allow);
  // GET …/kicks (moderator powers): {kicks:[{user_id, username, kicked_by, kicked_at}]}.
  boost::asio::awaitable<boost::json::object> Kicks(auth::AuthedUser actor, std::int64_t stream_id);
  // DELETE …/kicks/{user} (moderator powers): {lifted:true, user_id}; 404 not_kicked.
  boost::asio::awaitable<boost::json::object> Unkick(auth::AuthedUser actor, std::int64_t stream_id,
                                                     std::int64_t target_id);
  // GET …/audit (moderator powers): the stream's newest `limit` entries.
  boost::asio::awaitable<boost::json::object> AuditLog(auth::AuthedUser actor,
                                                       std::int64_t stream_id, int limit);
  boost::asio::awaitable<boost::json::object> GetSettings(auth::AuthedUser user);
  // Applies a settings body (validated by ApplySettings) over the stored settings.
  boost::asio::awaitable<boost::json::object> PutSettings(auth::AuthedUser user,
                                                          http::JsonBody body);
  // Checks the stream exists with voice enabled (for the SSE endpoint); throws 404/403/503.
  boost::asio::awaitable<std::int64_t> CheckEventsAllowed(auth::AuthedUser user,
                                                          std::int64_t stream_id);

  // Verifies a room token, including revocation; throws ApiError 401 invalid_token (message =
  // reason) or 503 state_unavailable.
  boost::asio::awaitable<RoomClaims> VerifyRoomToken(std::string token);
  // Admits an /rtc join: the room token is valid and not revoked, the stream exists with voice
  // on, the user is not kicked (database), and the user is seated in the room (presence). Throws
  // ApiError with the /rtc code: invalid_token (message = reason), voice_disabled, kicked,
  // not_joined, state_unavailable.
  boost::asio::awaitable<RtcAdmission> AdmitRtcJoin(std::string token);
  // The user's roster entry in the stream's room, nullopt when absent or when the state backend
  // cannot tell. Never throws.
  boost::asio::awaitable<std::optional<Member>> RosterMember(std::int64_t stream_id,
                                                             std::int64_t user_id);
  // Whether an admitted connection may stay: its token is still valid and the user still seated
  // (a leave, kick or logout may have raced the SFU join). False also when the state backend
  // cannot tell.
  boost::asio::awaitable<bool> StillAdmitted(RoomClaims claims);
  // A self-mute or self-unmute from the user's media connection: atomically against a leave, and
  // only a real change writes and publishes member_updated. A self-unmute never lifts a host mute
  // (MuteKind::kMutedByHost). Throws ApiError rate_limited (the per-user toggle bucket),
  // not_a_speaker, speaker_limit, slow_mode (with RetryAfterMs), 503 state_unavailable.
  boost::asio::awaitable<MuteKind> SelfMute(std::int64_t stream_id, std::int64_t user_id,
                                            bool muted);
  // Ends the room of a stream whose voice was turned off: every member leaves (reason
  // voice_disabled) and their media connections close. Best effort; never throws.
  boost::asio::awaitable<void> EndRoom(std::int64_t stream_id, std::string reason);

  // --- SFU bridge hooks (any thread; work is posted to the pool) ---
  // The user's media connection came up: counts as a heartbeat.
  void OnMediaConnected(std::int64_t stream_id, std::int64_t user_id);
  // The user's media connection ended (presence still times out on missing heartbeats).
  void OnMediaDisconnected(std::int64_t stream_id, std::int64_t user_id);

  // Members present in the stream's room; 0 when the state backend is down. Blocking; never
  // throws (for the stream list's voice.participants).
  std::int64_t Participants(std::int64_t stream_id) noexcept;

  // Runs one presence sweep (blocking; for the timer and tests); returns evictions.
  int SweepOnce();

  EventHub& Events() { return hub_; }
  state::StateBackend& StateStore() { return state_; }
  const config::VoiceSettings& Settings() const { return services_.config.voice; }
  static boost::json::object SettingsJson(const store::VoiceSettings& s);
  // Validates a settings body strictly (unknown field or out of range → 400) and applies it.
  static void ApplySettings(const http::JsonBody& body, store::VoiceSettings& s);

 private:
  // Runs fn on the pool; StateUnavailable becomes 503 state_unavailable.
  template <class F>
  auto Blocking(F fn) {
    return services_.blocking.Run([fn = std::move(fn)]() mutable {
      try {
        return fn();
      } catch (const state::StateUnavailable& e) {
        // The backend's own words go to the log, never to the client.
        ops::Warn("voice", "state backend unavailable", {{"error", e.what()}});
        throw http::Unavailable("state_unavailable", "voice state is unavailable; try again soon");
      }
    });
  }
  void Publish(std::int64_t stream_id, std::int64_t version, std::string_view type,
               boost::json::object data);
  void RateLimit(const std::string& key, int per_minute);
  boost::json::object RoomJson(std::int64_t stream_id);
  // The room's settings, from the state backend's cache, filled from voice_rooms when absent.
  RoomConfig LoadConfig(std::int64_t stream_id);
  // Makes sure the state backend caches the room's settings (the scripts read them there).
  void EnsureConfig(std::int64_t stream_id);
  // The user ids of the room's members that have moderator powers (host, moderators, admins).
  std::vector<std::int64_t> PrivilegedMembers(std::int64_t stream_id,
                                              const std::vector<Member>& roster);
  // Tells the SFU the room's pinned speakers (the single call site of MediaControl::SetPinned).
  void PushPins(std::int64_t stream_id, const std::vector<std::int64_t>& pinned);
  int MaxMembers(std::int64_t stream_id);
  // Ends the user's media connection in the stream's room (see MediaControl::EndMedia).
  void EndMedia(std::int64_t stream_id, std::int64_t user_id, const std::string& reason,
                bool kicked);
  // A removal the state backend could not record (a kick while it failed): retried by the sweep.
  struct PendingRemoval {
    std::int64_t stream_id = 0, user_id = 0;
    std::string reason;
  };
  void RetryPendingRemovals();
  // Ends the user's membership of the stream's room (media, roster, tokens, durable row, event)
  // with `reason`. Blocking; throws StateUnavailable.
  void LeaveRoom(std::int64_t stream_id, std::int64_t user_id, const std::string& reason);
  void CheckStateEpoch();
  std::mutex pending_mu_;
  std::vector<PendingRemoval> pending_removals_;
  std::string epoch_;  // the state backend's epoch this node knows (guarded by pending_mu_)
  void SweepLoop();
  void RefreshGauges();
  void Audit(std::optional<std::int64_t> actor, std::string action, std::int64_t stream_id,
             std::optional<std::int64_t> target, std::string detail);

  boost::asio::io_context& ioc_;
  app::Services& services_;
  state::StateBackend& state_;
  util::Clock clock_;
  RoomState rooms_;
  TokenRegistry registry_;
  state::StateRateLimiter limiter_;
  ToggleBucket toggles_;
  std::unique_ptr<RoomTokens> tokens_;
  EventHub hub_;
  MediaControl* media_ = nullptr;
  boost::asio::steady_timer sweep_timer_;
  std::atomic<bool> stopped_{false};
  std::atomic<std::int64_t> active_rooms_{0}, members_{0};
  ops::CounterFamily& evictions_;
  ops::CounterFamily& events_;
};

}  // namespace chorus::voice
