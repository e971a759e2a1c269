#include "voice/VoiceService.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>
#include <utility>

#include "http/ApiError.hpp"
#include "ops/Log.hpp"
#include "store/KvRepository.hpp"
#include "store/StreamRepository.hpp"
#include "store/VoiceRepository.hpp"
#include "util/Crypto.hpp"

namespace chorus::voice {
namespace {

using boost::asio::awaitable;
using namespace std::chrono_literals;

constexpr std::string_view kSecretKvKey = "voice.token_secret";
constexpr std::string_view kIssuer = "chorus";
constexpr std::size_t kSecretBytes = 32;
constexpr auto kRateWindow = std::chrono::seconds(60);

std::string MaxMembersKvKey(std::int64_t stream_id) {
  return "voice.room_max_members." + std::to_string(stream_id);
}

}  // namespace

VoiceService::VoiceService(boost::asio::io_context& ioc, app::Services& services,
                           state::StateBackend& state, util::Clock clock)
    : ioc_(ioc),
      services_(services),
      state_(state),
      clock_(std::move(clock)),
      rooms_(state, clock_, services.config.voice.presence_timeout,
             services.config.voice.rejoin_grace),
      registry_(state),
      limiter_(state),
      toggles_(state, clock_, services.config.voice.mute_toggle_rate,
               services.config.voice.mute_toggle_window),
      hub_(state, services.config.voice.sse_replay_events),
      sweep_timer_(ioc),
      evictions_(services.metrics.Counter("chorus_voice_sweep_evictions_total",
                                          "Voice members evicted by the presence sweep")),
      events_(services.metrics.Counter("chorus_voice_events_total", "Voice events published")) {
  std::vector<std::uint8_t> secret;
  const auto& configured = services.config.voice.token_secret;
  if (!configured.empty()) {
    secret.assign(configured.begin(), configured.end());
  } else {
    // One secret for every node sharing the database, kept across restarts.
    const std::string fresh = util::HexEncode(util::RandomBytes(kSecretBytes));
    const std::string stored = services.db.With([&](store::Connection& c) {
      return store::KvRepository(c).PutIfAbsent(kSecretKvKey, fresh);
    });
    secret.assign(stored.begin(), stored.end());
  }
  tokens_ = std::make_unique<RoomTokens>(std::move(secret), std::string(kIssuer),
                                         services.config.voice.token_ttl);
  services.metrics.Gauge("chorus_voice_active_rooms", "Voice rooms with members",
                         [this] { return static_cast<double>(active_rooms_.load()); });
  services.metrics.Gauge("chorus_voice_members", "Members in voice rooms",
                         [this] { return static_cast<double>(members_.load()); });
  services.metrics.Gauge("chorus_voice_sse_clients", "Connected voice event listeners",
                         [this] { return static_cast<double>(hub_.ClientCount()); });
}

VoiceService::~VoiceService() {
  Stop();
}

void VoiceService::Start() {
  // Every node hears every room's events: a member who left through another node (leave, kick,
  // timeout, logout, voice off) loses the media connection this node holds for them.
  hub_.SetRoomEventObserver(
      [this](std::int64_t stream_id, std::string_view type, const boost::json::object& data) {
        if (!media_) return;
        if (type == "room_updated") {
          // Pins changed through any node reach this node's SFU too.
          const auto* room = data.if_contains("room");
          const auto* pinned =
              room && room->is_object() ? room->as_object().if_contains("pinned") : nullptr;
          if (!pinned || !pinned->is_array()) return;
          std::vector<std::int64_t> ids;
          for (const auto& id : pinned->as_array()) {
            if (id.is_int64()) ids.push_back(id.as_int64());
          }
          media_->SetPinned(RoomName(stream_id), ids);
          return;
        }
        if (type != "member_left") return;
        const auto* user = data.if_contains("user_id");
        const auto* reason = data.if_contains("reason");
        if (!user || !user->is_int64()) return;
        std::string why = reason && reason->is_string() ? std::string(reason->as_string()) : "";
        if (why == "leave") why = "left";
        media_->EndMedia(RoomName(stream_id), user->as_int64(), why, why == "kick");
      });
  hub_.Start([this] { CheckStateEpoch(); });
  if (state_.Name() != "local") CheckStateEpoch();
  if (state_.Name() == "local") {
    // The in-process state died with the previous process: nobody is present any more.
    const auto closed = services_.db.With([this](store::Connection& c) {
      return store::VoiceRepository(c).CloseAllMemberships(std::nullopt, clock_(), "restart");
    });
    if (closed > 0) ops::Info("voice", "closed memberships left open", {{"count", closed}});
  }
  services_.sessions.OnSessionEnded([this](std::int64_t session_id, std::int64_t user_id) {
    // The media first: it needs no state backend, and a signed-out user must stop talking and
    // listening at once.
    if (media_) media_->EndSessionMedia(session_id, "logout");
    auto revoke = [this, session_id, user_id]() -> int {
      try {
        // A signed-out user leaves the rooms this session joined, unless another session of
        // theirs is in the room too (their seat is per user).
        for (const auto& room : registry_.SessionRooms(session_id)) {
          if (!room.other_session) LeaveRoom(room.stream_id, room.user_id, "logout");
        }
        const int n = registry_.RevokeSession(session_id);
        ops::Info("voice", "session tokens revoked",
                  {{"session_id", session_id}, {"user_id", user_id}, {"count", n}});
        return n;
      } catch (const std::exception& e) {
        ops::Warn("voice", "token revocation failed",
                  {{"session_id", session_id}, {"error", e.what()}});
        return 0;
      }
    };
    boost::asio::co_spawn(
        ioc_, [this, revoke]() -> awaitable<void> { co_await services_.blocking.Run(revoke); },
        boost::asio::detached);
  });
  SweepLoop();
}

void VoiceService::Stop() {
  if (stopped_.exchange(true)) return;
  boost::asio::post(sweep_timer_.get_executor(), [this] { sweep_timer_.cancel(); });
  hub_.Shutdown();
}

void VoiceService::SweepLoop() {
  if (stopped_) return;
  sweep_timer_.expires_after(services_.config.voice.sweep_interval);
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    auto task = [this]() -> int { return SweepOnce(); };
    boost::asio::co_spawn(
        ioc_, [this, task]() -> awaitable<int> { co_return co_await services_.blocking.Run(task); },
        [this](std::exception_ptr, int) { SweepLoop(); });
  });
}

int VoiceService::SweepOnce() {
  std::vector<Eviction> evicted;
  try {
    evicted = rooms_.Sweep();
  } catch (const std::exception& e) {
    ops::Warn("voice", "presence sweep failed", {{"error", e.what()}});
    return 0;
  }
  for (const auto& e : evicted) {
    try {
      services_.db.With([&](store::Connection& c) {
        store::VoiceRepository(c).CloseMembership(e.stream_id, e.member.user_id, clock_(),
                                                  "timeout");
      });
      Audit(std::nullopt, "voice.timeout", e.stream_id, e.member.user_id, "");
      registry_.RevokeUser(e.stream_id, e.member.user_id);
      Publish(e.stream_id, e.version, "member_left",
              {{"user_id", e.member.user_id}, {"reason", "timeout"}});
    } catch (const std::exception& ex) {
      ops::Warn("voice", "eviction bookkeeping failed",
                {{"stream_id", e.stream_id}, {"user_id", e.member.user_id}, {"error", ex.what()}});
    }
    evictions_.Add("");
    ops::Info("voice", "member timed out",
              {{"stream_id", e.stream_id}, {"user_id", e.member.user_id}});
    EndMedia(e.stream_id, e.member.user_id, "timeout", false);
  }
  RetryPendingRemovals();
  RefreshGauges();
  return static_cast<int>(evicted.size());
}

// Redis restarted without its data: the roster is gone, so the memberships the database holds
// open are closed (reason state_lost), the media connections of this node end (their seats are
// gone), and clients resync (EventHub) and join again. The epoch key names the state this
// deployment has written: the script sets it atomically when absent, so exactly one node closes
// the durable rows, and every node whose known epoch changed ends its media.
void VoiceService::CheckStateEpoch() {
  static const state::StateScript kClaimEpoch{
      "claim_epoch",
      "local v = redis.call('GET', KEYS[1]) if v then return {'0', v} end "
      "redis.call('SET', KEYS[1], ARGV[1]) return {'1', ARGV[1]}",
      [](state::StateBackend& s, const state::StateScript::Args& keys,
         const state::StateScript::Args& args) -> std::vector<std::string> {
        if (auto v = s.Get(keys[0])) return {"0", *v};
        s.Set(keys[0], args[0], std::chrono::milliseconds(0));
        return {"1", args[0]};
      }};
  try {
    const auto r =
        state_.RunScript(kClaimEpoch, {"voice:epoch"}, {util::HexEncode(util::RandomBytes(8))});
    if (r.size() < 2) return;
    std::string previous;
    {
      std::lock_guard lock(pending_mu_);
      previous = std::exchange(epoch_, r[1]);
    }
    if (!previous.empty() && previous != r[1]) {
      ops::Warn("voice", "voice state was lost; ending this node's media connections");
      if (media_) media_->EndRoomMedia("", "state_lost");
    }
    if (r[0] != "1") return;
    const auto closed = services_.db.With([this](store::Connection& c) {
      return store::VoiceRepository(c).CloseAllMemberships(std::nullopt, clock_(), "state_lost");
    });
    if (closed > 0) {
      ops::Warn("voice", "voice state was lost; open memberships closed", {{"count", closed}});
    }
  } catch (const std::exception& e) {
    ops::Warn("voice", "state epoch check failed", {{"error", e.what()}});
  }
}

void VoiceService::LeaveRoom(std::int64_t stream_id, std::int64_t user_id,
                             const std::string& reason) {
  EndMedia(stream_id, user_id, reason, false);
  auto left = rooms_.Leave(stream_id, user_id);
  registry_.RevokeUser(stream_id, user_id);
  services_.db.With([&](store::Connection& c) {
    store::VoiceRepository(c).CloseMembership(stream_id, user_id, clock_(), reason);
  });
  if (!left) return;
  Audit(user_id, "voice.leave", stream_id, user_id, reason);
  Publish(stream_id, left->second, "member_left", {{"user_id", user_id}, {"reason", reason}});
  ops::Info("voice", "member left",
            {{"stream_id", stream_id}, {"user_id", user_id}, {"reason", reason}});
}

void VoiceService::RetryPendingRemovals() {
  std::vector<PendingRemoval> pending;
  {
    std::lock_guard lock(pending_mu_);
    pending.swap(pending_removals_);
  }
  for (const auto& p : pending) {
    try {
      auto left = rooms_.Leave(p.stream_id, p.user_id);
      registry_.RevokeUser(p.stream_id, p.user_id);
      if (left) {
        Publish(p.stream_id, left->second, "member_left",
                {{"user_id", p.user_id}, {"reason", p.reason}});
      }
    } catch (const std::exception&) {
      std::lock_guard lock(pending_mu_);
      pending_removals_.push_back(p);  // still down: next sweep
    }
  }
}

std::int64_t VoiceService::Participants(std::int64_t stream_id) noexcept {
  try {
    return rooms_.MemberCount(stream_id);
  } catch (const std::exception&) {
    return 0;
  }
}

void VoiceService::RefreshGauges() {
  try {
    std::int64_t members = 0;
    const auto rooms = rooms_.ActiveRooms();
    for (auto id : rooms) members += rooms_.MemberCount(id);
    active_rooms_ = static_cast<std::int64_t>(rooms.size());
    members_ = members;
  } catch (const std::exception&) {
  }
}

void VoiceService::Publish(std::int64_t stream_id, std::int64_t version, std::string_view type,
                           boost::json::object data) {
  state_.Publish(EventHub::RoomChannel(stream_id),
                 EventHub::RoomMessage(stream_id, version, type, std::move(data)));
  events_.Add(fmt::format(R"(type="{}")", type));
}

void VoiceService::RateLimit(const std::string& key, int per_minute) {
  if (auto wait = limiter_.HitStrict(key, per_minute, kRateWindow)) {
    throw http::TooManyRequests("rate_limited", "too many requests; try again later", *wait);
  }
}

void VoiceService::Audit(std::optional<std::int64_t> actor, std::string action,
                         std::int64_t stream_id, std::optional<std::int64_t> target,
                         std::string detail) {
  store::AuditEntry entry;
  entry.at_ms = clock_();
  entry.actor_id = actor;
  entry.action = std::move(action);
  entry.stream_id = stream_id;
  entry.target_user_id = target;
  entry.detail = std::move(detail);
  services_.db.With([&](store::Connection& c) { store::VoiceRepository(c).AppendAudit(entry); });
}

int VoiceService::MaxMembers(std::int64_t stream_id) {
  if (auto v = rooms_.MaxMembers(stream_id)) return *v;
  auto stored = services_.db.With(
      [&](store::Connection& c) { return store::KvRepository(c).Get(MaxMembersKvKey(stream_id)); });
  int max = services_.config.voice.max_members;
  if (stored) {
    try {
      max = std::stoi(*stored);
    } catch (...) {
    }
  }
  rooms_.SetMaxMembers(stream_id, max);
  return max;
}

boost::json::object VoiceService::RoomJson(std::int64_t stream_id) {
  auto room = services_.db.With(
      [&](store::Connection& c) { return store::VoiceRepository(c).FindRoom(stream_id); });
  const auto config = LoadConfig(stream_id);
  boost::json::array pinned;
  for (auto id : config.pinned) pinned.push_back(id);
  boost::json::object o{{"room_id", RoomName(stream_id)},
                        {"stream_id", stream_id},
                        {"max_members", MaxMembers(stream_id)},
                        {"member_count", rooms_.MemberCount(stream_id)}};
  o["host_id"] = room && room->host_id ? boost::json::value(*room->host_id) : nullptr;
  o["mode"] = config.mode;
  o["max_speakers"] = config.max_speakers;
  o["slow_mode_seconds"] = config.slow_mode_seconds;
  o["pinned"] = std::move(pinned);
  o["slots"] = services_.config.rtc.audio_slots;
  return o;
}

RoomConfig VoiceService::LoadConfig(std::int64_t stream_id) {
  if (auto cached = rooms_.Config(stream_id)) return *cached;
  auto room = services_.db.With(
      [&](store::Connection& c) { return store::VoiceRepository(c).FindRoom(stream_id); });
  RoomConfig config;
  if (room) {
    config.mode = room->mode;
    config.max_speakers = room->max_speakers;
    config.slow_mode_seconds = room->slow_mode_seconds;
    config.pinned = room->pinned;
  }
  rooms_.SetConfig(stream_id, config);
  return config;
}

void VoiceService::EnsureConfig(std::int64_t stream_id) {
  if (!rooms_.HasConfig(stream_id)) LoadConfig(stream_id);
}

void VoiceService::PushPins(std::int64_t stream_id, const std::vector<std::int64_t>& pinned) {
  if (media_) media_->SetPinned(RoomName(stream_id), pinned);
}

}  // namespace chorus::voice
