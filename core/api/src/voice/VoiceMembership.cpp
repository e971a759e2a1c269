// VoiceService: join, leave, heartbeat, roster, state, room tokens and the SFU hooks.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>

#include "ops/Log.hpp"
#include "store/StreamRepository.hpp"
#include "store/VoiceRepository.hpp"
#include "voice/RoomRoles.hpp"
#include "voice/TurnCredentials.hpp"
#include "voice/VoiceService.hpp"

namespace chorus::voice {
namespace {

using boost::asio::awaitable;

store::Stream FindStream(store::Connection& c, std::int64_t stream_id) {
  auto stream = store::StreamRepository(c).Find(stream_id);
  if (!stream) throw http::NotFound("no such stream");
  return *stream;
}

boost::json::array RosterJson(const std::vector<Member>& members) {
  boost::json::array out;
  for (const auto& m : members) out.push_back(m.ToJson());
  return out;
}

}  // namespace

awaitable<boost::json::object> VoiceService::Join(auth::AuthedUser user, std::int64_t stream_id,
                                                  std::string sfu_url) {
  auto work = [this, user, stream_id, sfu_url]() -> boost::json::object {
    const auto& cfg = services_.config.voice;
    // Counting the attempt first also proves the state backend answers before anything durable
    // is written.
    RateLimit("voice:join:" + std::to_string(user.id), cfg.join_rate_per_minute);
    struct Loaded {
      store::Stream stream;
      bool kicked = false;
      store::VoiceSettings settings;
      std::string role;
    };
    auto loaded = services_.db.With([&](store::Connection& c) {
      Loaded l;
      l.stream = FindStream(c, stream_id);
      if (!l.stream.voice_enabled) {
        throw http::ApiError(http::Status::forbidden, "voice_disabled",
                             "voice chat is disabled for this stream");
      }
      store::VoiceRepository repo(c);
      l.kicked = repo.IsKicked(stream_id, user.id);
      l.role = RoomRole(c, l.stream, user.id);
      auto s = repo.ResolveSettings(user.id, stream_id);
      if (s) l.settings = *s;
      l.settings.user_id = user.id;
      return l;
    });
    if (loaded.kicked) {
      throw http::ApiError(http::Status::forbidden, "kicked",
                           "you were removed from this voice channel");
    }
    const std::string role = loaded.role;
    // The scripts read the room's mode and speaker limit from the state backend.
    EnsureConfig(stream_id);
    Member candidate;
    candidate.user_id = user.id;
    candidate.username = user.username;
    candidate.role = role;
    candidate.muted = loaded.settings.mute_on_join;
    auto outcome = rooms_.Join(stream_id, candidate, MaxMembers(stream_id), HasPowers(role));
    if (outcome.kind == JoinKind::kFull) {
      throw http::Conflict("room_full", "the voice channel is full");
    }
    const auto now = clock_();
    if (outcome.kind != JoinKind::kPresent) {
      try {
        services_.db.With([&](store::Connection& c) {
          store::VoiceRepository repo(c);
          repo.EnsureRoom(stream_id, 0, loaded.stream.host_id, RoomName(stream_id), now);
          repo.OpenMembership(stream_id, user.id, role, now);
        });
      } catch (...) {
        rooms_.Leave(stream_id, user.id);  // the seat without its durable record is undone
        throw;
      }
      Audit(user.id, "voice.join", stream_id, user.id,
            outcome.kind == JoinKind::kRestored ? "restored" : "");
      Publish(
          stream_id, outcome.version, "member_joined",
          {{"member", outcome.member.ToJson()}, {"restored", outcome.kind == JoinKind::kRestored}});
      ops::Info("voice", "member joined",
                {{"stream_id", stream_id}, {"user_id", user.id}, {"role", role}});
      // The SFU room may start now (the first member of this node): it gets the room's pins.
      PushPins(stream_id, LoadConfig(stream_id).pinned);
    }
    RoomClaims claims;
    claims.user_id = user.id;
    claims.username = user.username;
    claims.stream_id = stream_id;
    claims.room = RoomName(stream_id);
    claims.role = outcome.member.role;
    claims.can_moderate = HasPowers(role);
    claims.session_id = user.session_id;
    const std::string token = tokens_->Mint(claims, now / 1000);
    registry_.Register(claims, tokens_->Ttl());
    return boost::json::object{
        {"room_id", claims.room},
        {"sfu_url", sfu_url},
        {"token", token},
        {"expires_at", util::IsoTime(claims.exp * 1000)},
        {"roster", RosterJson(rooms_.Roster(stream_id))},
        {"settings", SettingsJson(loaded.settings)},
        {"heartbeat_interval_ms",
         std::chrono::duration_cast<std::chrono::milliseconds>(cfg.heartbeat_interval).count()},
        {"member", outcome.member.ToJson()},
        {"room", RoomJson(stream_id)},
        {"ice_servers", TurnIceServers(services_.config.turn.urls, services_.config.turn.secret,
                                       user.id, now / 1000, services_.config.turn.ttl)}};
  };
  co_return co_await Blocking(std::move(work));
}

awaitable<bool> VoiceService::Leave(auth::AuthedUser user, std::int64_t stream_id, bool page_hide) {
  auto work = [this, user, stream_id, page_hide]() -> bool {
    RateLimit("voice:leave:" + std::to_string(user.id),
              services_.config.voice.join_rate_per_minute);
    services_.db.With([&](store::Connection& c) { FindStream(c, stream_id); });
    if (page_hide) {
      const bool present =
          rooms_.ExpireWithin(stream_id, user.id, services_.config.voice.rejoin_grace);
      registry_.RevokeUser(stream_id, user.id);
      EndMedia(stream_id, user.id, "left", false);
      if (present) {
        ops::Info("voice", "member leaving (page hidden)",
                  {{"stream_id", stream_id}, {"user_id", user.id}});
      }
      return present;
    }
    auto left = rooms_.Leave(stream_id, user.id);
    registry_.RevokeUser(stream_id, user.id);
    EndMedia(stream_id, user.id, "left", false);
    services_.db.With([&](store::Connection& c) {
      store::VoiceRepository(c).CloseMembership(stream_id, user.id, clock_(), "leave");
    });
    if (!left) return false;
    Audit(user.id, "voice.leave", stream_id, user.id, "");
    Publish(stream_id, left->second, "member_left", {{"user_id", user.id}, {"reason", "leave"}});
    ops::Info("voice", "member left", {{"stream_id", stream_id}, {"user_id", user.id}});
    return true;
  };
  co_return co_await Blocking(std::move(work));
}

awaitable<void> VoiceService::Heartbeat(auth::AuthedUser user, std::int64_t stream_id) {
  auto work = [this, user, stream_id]() -> bool { return rooms_.Heartbeat(stream_id, user.id); };
  const bool present = co_await Blocking(std::move(work));
  if (!present)
    throw http::Conflict("not_joined", "not a member of this voice channel; join again");
}

awaitable<boost::json::array> VoiceService::Roster(std::int64_t stream_id) {
  auto work = [this, stream_id]() -> boost::json::array {
    services_.db.With([&](store::Connection& c) { FindStream(c, stream_id); });
    return RosterJson(rooms_.Roster(stream_id));
  };
  co_return co_await Blocking(std::move(work));
}

awaitable<boost::json::object> VoiceService::State(std::int64_t stream_id) {
  auto work = [this, stream_id]() -> boost::json::object {
    auto stream = services_.db.With([&](store::Connection& c) { return FindStream(c, stream_id); });
    // Read the version first: a change racing this read shows a newer roster with an older
    // version, so the client's next poll fetches again rather than missing it.
    const auto version = rooms_.Version(stream_id);
    auto room = RoomJson(stream_id);
    room["voice_enabled"] = stream.voice_enabled;
    return boost::json::object{{"room", std::move(room)},
                               {"roster", RosterJson(rooms_.Roster(stream_id))},
                               {"version", version}};
  };
  co_return co_await Blocking(std::move(work));
}

awaitable<std::int64_t> VoiceService::CheckEventsAllowed(auth::AuthedUser user,
                                                         std::int64_t stream_id) {
  (void)user;
  auto work = [this, stream_id]() -> std::int64_t {
    if (!state_.Ready()) throw state::StateUnavailable("backend not ready");
    services_.db.With([&](store::Connection& c) {
      auto stream = FindStream(c, stream_id);
      if (!stream.voice_enabled) {
        throw http::ApiError(http::Status::forbidden, "voice_disabled",
                             "voice chat is disabled for this stream");
      }
    });
    return rooms_.Version(stream_id);
  };
  co_return co_await Blocking(std::move(work));
}

}  // namespace chorus::voice
