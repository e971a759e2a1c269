// VoiceService: moderation (mute, unmute, kick, the kick list, the moderation log), ending a
// room, and users' voice settings.
#include <boost/json.hpp>

#include "ops/Log.hpp"
#include "store/StreamRepository.hpp"
#include "store/UserRepository.hpp"
#include "store/VoiceRepository.hpp"
#include "voice/RoomRoles.hpp"
#include "voice/VoiceService.hpp"

namespace chorus::voice {
namespace {

using boost::asio::awaitable;

constexpr auto kSettingsCacheTtl = std::chrono::minutes(5);
constexpr std::size_t kMaxDeviceId = 256, kMaxPttKey = 64;
constexpr int kMaxGain = 200, kMaxVolume = 200;

std::string SettingsCacheKey(std::int64_t user_id) {
  return "voice:settings:" + std::to_string(user_id);
}

store::Stream FindStream(store::Connection& c, std::int64_t stream_id) {
  auto stream = store::StreamRepository(c).Find(stream_id);
  if (!stream) throw http::NotFound("no such stream");
  return *stream;
}

std::optional<store::VoiceSettings> ParseCached(const std::string& text, std::int64_t user_id) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  try {
    auto body = http::JsonBody::Parse(text);
    store::VoiceSettings s;
    s.user_id = user_id;
    VoiceService::ApplySettings(body, s);
    return s;
  } catch (const std::exception&) {
    return std::nullopt;  // a cache written by another version: read the database instead
  }
}

}  // namespace

boost::json::object VoiceService::SettingsJson(const store::VoiceSettings& s) {
  return {{"auto_join", s.auto_join},
          {"mute_on_join", s.mute_on_join},
          {"input_device_id", s.input_device_id},
          {"input_gain", s.input_gain},
          {"push_to_talk", s.push_to_talk},
          {"ptt_key", s.ptt_key},
          {"noise_suppression", s.noise_suppression},
          {"echo_cancellation", s.echo_cancellation},
          {"auto_gain_control", s.auto_gain_control},
          {"output_volume", s.output_volume}};
}

void VoiceService::ApplySettings(const http::JsonBody& b, store::VoiceSettings& s) {
  b.AllowOnly({"auto_join", "mute_on_join", "input_device_id", "input_gain", "push_to_talk",
               "ptt_key", "noise_suppression", "echo_cancellation", "auto_gain_control",
               "output_volume"});
  if (auto v = b.OptBool("auto_join")) s.auto_join = *v;
  if (auto v = b.OptBool("mute_on_join")) s.mute_on_join = *v;
  if (auto v = b.OptString("input_device_id", 0, kMaxDeviceId)) s.input_device_id = *v;
  if (auto v = b.OptInt("input_gain", 0, kMaxGain)) s.input_gain = static_cast<int>(*v);
  if (auto v = b.OptBool("push_to_talk")) s.push_to_talk = *v;
  if (auto v = b.OptString("ptt_key", 0, kMaxPttKey)) s.ptt_key = *v;
  if (auto v = b.OptBool("noise_suppression")) s.noise_suppression = *v;
  if (auto v = b.OptBool("echo_cancellation")) s.echo_cancellation = *v;
  if (auto v = b.OptBool("auto_gain_control")) s.auto_gain_control = *v;
  if (auto v = b.OptInt("output_volume", 0, kMaxVolume)) s.output_volume = static_cast<int>(*v);
}

awaitable<boost::json::object> VoiceService::Moderate(auth::AuthedUser actor,
                                                      std::int64_t stream_id,
                                                      std::int64_t target_id, std::string action) {
  auto work = [this, actor, stream_id, target_id, action]() -> boost::json::object {
    // Rights come from the database as it is now (the stream's current host, admins, appointed
    // moderators), never from the role cached in the roster at join: a host demoted since is
    // refused.
    struct Roles {
      store::Stream stream;
      std::string actor, target;
    };
    const auto roles = services_.db.With([&](store::Connection& c) {
      Roles r{FindStream(c, stream_id), "", ""};
      r.actor = RoomRole(c, r.stream, actor.id);
      r.target = RoomRole(c, r.stream, target_id);
      return r;
    });
    const auto& stream = roles.stream;
    if (!HasPowers(roles.actor)) {
      throw http::Forbidden("only the host, moderators and administrators may moderate");
    }
    if (target_id == actor.id && action == "kick") {
      throw http::BadRequest("you cannot kick yourself");
    }
    const std::string room = RoomName(stream_id);
    if (action == "mute" || action == "unmute") {
      const bool muted = action == "mute";
      if (!muted) EnsureConfig(stream_id);  // the unmute script reads the speaker limit
      const auto updated =
          rooms_.SetMuted(stream_id, target_id, muted, true, HasPowers(roles.target));
      if (updated.kind == MuteKind::kAbsent) {
        throw http::NotFound("that user is not in the voice channel");
      }
      if (updated.kind == MuteKind::kNotASpeaker) {
        throw http::Conflict("not_a_speaker", "that member is a listener; let them speak first");
      }
      if (updated.kind == MuteKind::kSpeakerLimit) {
        throw http::Conflict("speaker_limit", "the room has as many unmuted members as it allows");
      }
      if (media_) media_->SetMuted(room, target_id, muted, true);
      if (updated.kind == MuteKind::kChanged) {
        Publish(stream_id, updated.version, "member_updated",
                {{"member", updated.member.ToJson()}, {"by", actor.id}});
        Audit(actor.id, "voice." + action, stream_id, target_id, "");
        ops::Info("voice", "member " + action + "d",
                  {{"stream_id", stream_id}, {"user_id", target_id}, {"by", actor.id}});
      }
      return {{"member", updated.member.ToJson()}};
    }
    // kick
    if (stream.host_id == target_id && !actor.IsAdmin()) {
      throw http::Forbidden("the stream's host cannot be kicked");
    }
    // The ban is durable first; then the media goes (no state backend needed), so the kick holds
    // even when the state backend fails half-way: /rtc admission reads the ban from the database,
    // and the roster entry and tokens are removed by the next sweep that reaches the backend.
    services_.db.With([&](store::Connection& c) {
      if (!store::UserRepository(c).FindById(target_id)) throw http::NotFound("no such user");
      c.Transaction([&] {
        store::VoiceRepository repo(c);
        repo.Kick(stream_id, target_id, actor.id, clock_());
        repo.CloseMembership(stream_id, target_id, clock_(), "kick");
        store::AuditEntry entry;
        entry.at_ms = clock_();
        entry.actor_id = actor.id;
        entry.action = "voice.kick";
        entry.stream_id = stream_id;
        entry.target_user_id = target_id;
        repo.AppendAudit(entry);
      });
    });
    EndMedia(stream_id, target_id, "kick", /*kicked=*/true);
    ops::Info("voice", "member kicked",
              {{"stream_id", stream_id}, {"user_id", target_id}, {"by", actor.id}});
    std::optional<std::pair<Member, std::int64_t>> left;
    try {
      left = rooms_.Leave(stream_id, target_id);
      registry_.RevokeUser(stream_id, target_id);
    } catch (const state::StateUnavailable&) {
      std::lock_guard lock(pending_mu_);
      pending_removals_.push_back({stream_id, target_id, "kick"});
      return {{"kicked", true}, {"user_id", target_id}, {"was_member", false}};
    }
    if (left) {
      try {
        Publish(stream_id, left->second, "member_left",
                {{"user_id", target_id}, {"reason", "kick"}, {"by", actor.id}});
      } catch (const state::StateUnavailable&) {
        // The event is lost; listeners resync when the backend is back.
      }
    }
    return {{"kicked", true}, {"user_id", target_id}, {"was_member", left.has_value()}};
  };
  co_return co_await Blocking(std::move(work));
}

awaitable<void> VoiceService::EndRoom(std::int64_t stream_id, std::string reason) {
  auto work = [this, stream_id, reason]() -> std::size_t {
    std::vector<Member> roster;
    try {
      roster = rooms_.Roster(stream_id);
    } catch (const std::exception&) {
      ops::Warn("voice", "room end: roster unavailable", {{"stream_id", stream_id}});
    }
    // Media first, from the SFU's own list: it needs no state backend to work.
    if (media_) media_->EndRoomMedia(RoomName(stream_id), reason);
    for (const auto& m : roster) {
      try {
        auto left = rooms_.Leave(stream_id, m.user_id);
        registry_.RevokeUser(stream_id, m.user_id);
        if (left) {
          Publish(stream_id, left->second, "member_left",
                  {{"user_id", m.user_id}, {"reason", reason}});
        }
      } catch (const std::exception&) {
        std::lock_guard lock(pending_mu_);
        pending_removals_.push_back({stream_id, m.user_id, reason});
      }
    }
    try {
      services_.db.With([&](store::Connection& c) {
        store::VoiceRepository(c).CloseAllMemberships(stream_id, clock_(), reason);
      });
    } catch (const std::exception&) {
      ops::Warn("voice", "room end: memberships not closed", {{"stream_id", stream_id}});
    }
    ops::Info("voice", "room ended",
              {{"stream_id", stream_id}, {"reason", reason}, {"members", roster.size()}});
    return roster.size();
  };
  // `work` catches its own failures, so this never throws.
  co_await services_.blocking.Run(std::move(work));
}

awaitable<boost::json::object> VoiceService::GetSettings(auth::AuthedUser user) {
  auto work = [this, user]() -> boost::json::object {
    std::optional<store::VoiceSettings> settings;
    bool cache_ok = true;
    try {
      if (auto cached = state_.Get(SettingsCacheKey(user.id))) {
        settings = ParseCached(*cached, user.id);
      }
    } catch (const state::StateUnavailable&) {
      cache_ok = false;  // the database still answers
    }
    if (!settings) {
      settings = services_.db.With(
          [&](store::Connection& c) { return store::VoiceRepository(c).GetSettings(user.id, 0); });
      if (!settings) {
        settings = store::VoiceSettings{};
        settings->user_id = user.id;
      }
      if (cache_ok) {
        try {
          state_.Set(SettingsCacheKey(user.id), boost::json::serialize(SettingsJson(*settings)),
                     kSettingsCacheTtl);
        } catch (const state::StateUnavailable&) {
        }
      }
    }
    return SettingsJson(*settings);
  };
  co_return co_await Blocking(std::move(work));
}

awaitable<boost::json::object> VoiceService::PutSettings(auth::AuthedUser user,
                                                         http::JsonBody body) {
  auto work = [this, user, body]() -> boost::json::object {
    // Validate before anything else, so a bad body never costs a rate-limit slot...
    store::VoiceSettings probe;
    ApplySettings(body, probe);
    // ...then prove the state backend answers before the durable write.
    RateLimit("voice:settings:" + std::to_string(user.id),
              services_.config.voice.settings_rate_per_minute);
    auto stored = services_.db.With([&](store::Connection& c) {
      store::VoiceRepository repo(c);
      auto current = repo.GetSettings(user.id, 0).value_or(store::VoiceSettings{});
      current.user_id = user.id;
      current.stream_id = 0;
      ApplySettings(body, current);
      return repo.PutSettings(current, clock_());
    });
    auto json = SettingsJson(stored);
    // Database first, then the cache, then the event to the user's other sessions.
    state_.Set(SettingsCacheKey(user.id), boost::json::serialize(json), kSettingsCacheTtl);
    state_.Publish(
        EventHub::UserChannel(user.id),
        EventHub::UserMessage(user.id, user.session_id, "settings_updated", {{"settings", json}}));
    ops::Info("voice", "settings updated", {{"user_id", user.id}});
    return json;
  };
  co_return co_await Blocking(std::move(work));
}

}  // namespace chorus::voice
