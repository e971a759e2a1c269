// VoiceService: the stage — appointed moderators, raised hands, and who may speak.
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

store::Stream FindStream(store::Connection& c, std::int64_t stream_id) {
  auto stream = store::StreamRepository(c).Find(stream_id);
  if (!stream) throw http::NotFound("no such stream");
  return *stream;
}

}  // namespace

awaitable<boost::json::object> VoiceService::SetRole(auth::AuthedUser actor, std::int64_t stream_id,
                                                     std::int64_t target_id, std::string role) {
  auto work = [this, actor, stream_id, target_id, role]() -> boost::json::object {
    if (role != "moderator" && role != "member") {
      throw http::BadRequest("role must be 'moderator' or 'member'");
    }
    (void)rooms_.Version(stream_id);  // the state backend answers before the durable write
    const auto roster_role = services_.db.With([&](store::Connection& c) {
      auto stream = FindStream(c, stream_id);
      // Appointing is the host's and the administrators' alone: a moderator cannot appoint.
      if (RoomRole(c, stream, actor.id) != "host" && !actor.IsAdmin()) {
        throw http::Forbidden("only the stream's host and administrators may appoint moderators");
      }
      if (!store::UserRepository(c).FindById(target_id)) throw http::NotFound("no such user");
      if (stream.host_id && *stream.host_id == target_id) {
        throw http::BadRequest("the stream's host is always in charge", "invalid_target");
      }
      std::string effective;
      c.Transaction([&] {
        store::VoiceRepository repo(c);
        const bool changed = role == "moderator"
                                 ? repo.AddModerator(stream_id, target_id, actor.id, clock_())
                                 : repo.RemoveModerator(stream_id, target_id);
        effective = RoomRole(c, stream, target_id);
        repo.SetMemberRole(stream_id, target_id, effective);
        if (changed) {
          store::AuditEntry entry;
          entry.at_ms = clock_();
          entry.actor_id = actor.id;
          entry.action = "voice.role";
          entry.stream_id = stream_id;
          entry.target_user_id = target_id;
          entry.detail = boost::json::serialize(boost::json::object{{"role", role}});
          repo.AppendAudit(entry);
        }
      });
      return effective;
    });
    boost::json::object out{{"user_id", target_id}, {"role", role}};
    const auto updated = rooms_.SetRole(stream_id, target_id, roster_role);
    if (updated.kind == MuteKind::kChanged) {
      Publish(stream_id, updated.version, "member_updated",
              {{"member", updated.member.ToJson()}, {"by", actor.id}});
    }
    if (updated.kind != MuteKind::kAbsent) out["member"] = updated.member.ToJson();
    ops::Info("voice", "role set",
              {{"stream_id", stream_id}, {"user_id", target_id}, {"role", role}, {"by", actor.id}});
    return out;
  };
  co_return co_await Blocking(std::move(work));
}

awaitable<boost::json::object> VoiceService::Moderators(std::int64_t stream_id) {
  auto work = [this, stream_id]() -> boost::json::object {
    auto list = services_.db.With([&](store::Connection& c) {
      FindStream(c, stream_id);
      return store::VoiceRepository(c).ListModerators(stream_id);
    });
    boost::json::array out;
    for (const auto& m : list) {
      out.push_back({{"user_id", m.user_id},
                     {"username", m.username},
                     {"appointed_by", m.appointed_by ? boost::json::value(*m.appointed_by)
                                                     : boost::json::value(nullptr)},
                     {"appointed_at", util::IsoTime(m.appointed_at_ms)}});
    }
    return {{"moderators", std::move(out)}};
  };
  co_return co_await Blocking(std::move(work));
}

awaitable<boost::json::object> VoiceService::RaiseHand(auth::AuthedUser user,
                                                       std::int64_t stream_id, bool raised) {
  auto work = [this, user, stream_id, raised]() -> boost::json::object {
    const auto role = services_.db.With(
        [&](store::Connection& c) { return RoomRole(c, FindStream(c, stream_id), user.id); });
    EnsureConfig(stream_id);
    const auto outcome = rooms_.RaiseHand(stream_id, user.id, raised, HasPowers(role));
    switch (outcome.kind) {
      case MuteKind::kAbsent:
        throw http::Conflict("not_joined", "not a member of this voice channel; join again");
      case MuteKind::kNotStage:
        throw http::Conflict("not_stage", "hands are raised in stage rooms only");
      case MuteKind::kAlreadySpeaker:
        throw http::Conflict("already_speaker", "you may speak already");
      case MuteKind::kSlowMode:
        throw http::RetryLater("slow_mode", "slow mode: wait before raising your hand again",
                               outcome.retry_after_ms);
      case MuteKind::kChanged:
        Publish(stream_id, outcome.version, "member_updated",
                {{"member", outcome.member.ToJson()}});
        ops::Info("voice", raised ? "hand raised" : "hand lowered",
                  {{"stream_id", stream_id}, {"user_id", user.id}});
        break;
      default:
        break;
    }
    return {{"member", outcome.member.ToJson()}};
  };
  co_return co_await Blocking(std::move(work));
}

awaitable<boost::json::object> VoiceService::Speak(auth::AuthedUser actor, std::int64_t stream_id,
                                                   std::int64_t target_id, bool allow) {
  auto work = [this, actor, stream_id, target_id, allow]() -> boost::json::object {
    services_.db.With([&](store::Connection& c) {
      if (!HasPowers(RoomRole(c, FindStream(c, stream_id), actor.id))) {
        throw http::Forbidden("only the host, moderators and administrators run the stage");
      }
    });
    EnsureConfig(stream_id);
    const auto outcome = rooms_.SetSpeaker(stream_id, target_id, allow);
    if (outcome.kind == MuteKind::kNotStage) {
      throw http::Conflict("not_stage", "the room is not a stage");
    }
    if (outcome.kind == MuteKind::kAbsent) {
      throw http::ApiError(http::Status::not_found, "not_joined",
                           "that user is not in the voice channel");
    }
    if (outcome.kind == MuteKind::kChanged) {
      // A listener is silent in the SFU at once; a new speaker unmutes themselves.
      if (!allow && media_) media_->SetMuted(RoomName(stream_id), target_id, true, false);
      Publish(stream_id, outcome.version, "member_updated",
              {{"member", outcome.member.ToJson()}, {"by", actor.id}});
      Audit(actor.id, "voice.speak", stream_id, target_id,
            boost::json::serialize(boost::json::object{{"allow", allow}}));
      ops::Info("voice", allow ? "speaker approved" : "speaker returned to the audience",
                {{"stream_id", stream_id}, {"user_id", target_id}, {"by", actor.id}});
    }
    return {{"member", outcome.member.ToJson()}};
  };
  co_return co_await Blocking(std::move(work));
}

}  // namespace chorus::voice
