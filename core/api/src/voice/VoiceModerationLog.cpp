// VoiceService: the kick list (and lifting a kick) and the stream's moderation log.
#include <boost/json.hpp>

#include "ops/Log.hpp"
#include "store/StreamRepository.hpp"
#include "store/VoiceRepository.hpp"
#include "voice/RoomRoles.hpp"
#include "voice/VoiceService.hpp"

namespace chorus::voice {
namespace {

using boost::asio::awaitable;

boost::json::value OptJson(const std::optional<std::int64_t>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}
boost::json::value OptJson(const std::optional<std::string>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

// Throws 404 for an unknown stream and 403 unless the user has moderator powers in its room.
void RequirePowers(store::Connection& c, std::int64_t stream_id, std::int64_t user_id) {
  auto stream = store::StreamRepository(c).Find(stream_id);
  if (!stream) throw http::NotFound("no such stream");
  if (!HasPowers(RoomRole(c, *stream, user_id))) {
    throw http::Forbidden("only the host, moderators and administrators may do this");
  }
}

}  // namespace

awaitable<boost::json::object> VoiceService::Kicks(auth::AuthedUser actor, std::int64_t stream_id) {
  auto work = [this, actor, stream_id]() -> boost::json::object {
    auto kicks = services_.db.With([&](store::Connection& c) {
      RequirePowers(c, stream_id, actor.id);
      return store::VoiceRepository(c).ListKicks(stream_id);
    });
    boost::json::array out;
    for (const auto& k : kicks) {
      out.push_back({{"user_id", k.user_id},
                     {"username", k.username},
                     {"kicked_by", OptJson(k.kicked_by)},
                     {"kicked_at", util::IsoTime(k.kicked_at_ms)}});
    }
    return {{"kicks", std::move(out)}};
  };
  co_return co_await Blocking(std::move(work));
}

awaitable<boost::json::object> VoiceService::Unkick(auth::AuthedUser actor, std::int64_t stream_id,
                                                    std::int64_t target_id) {
  auto work = [this, actor, stream_id, target_id]() -> boost::json::object {
    services_.db.With([&](store::Connection& c) {
      RequirePowers(c, stream_id, actor.id);
      c.Transaction([&] {
        store::VoiceRepository repo(c);
        if (!repo.Unkick(stream_id, target_id)) {
          throw http::ApiError(http::Status::not_found, "not_kicked",
                               "that user is not kicked from this voice channel");
        }
        store::AuditEntry entry;
        entry.at_ms = clock_();
        entry.actor_id = actor.id;
        entry.action = "voice.unkick";
        entry.stream_id = stream_id;
        entry.target_user_id = target_id;
        repo.AppendAudit(entry);
      });
    });
    ops::Info("voice", "kick lifted",
              {{"stream_id", stream_id}, {"user_id", target_id}, {"by", actor.id}});
    return {{"lifted", true}, {"user_id", target_id}};
  };
  co_return co_await Blocking(std::move(work));
}

awaitable<boost::json::object> VoiceService::AuditLog(auth::AuthedUser actor,
                                                      std::int64_t stream_id, int limit) {
  auto work = [this, actor, stream_id, limit]() -> boost::json::object {
    if (limit < 1 || limit > 200) throw http::BadRequest("limit must be 1–200");
    auto entries = services_.db.With([&](store::Connection& c) {
      RequirePowers(c, stream_id, actor.id);
      return store::VoiceRepository(c).ListAuditNamed(stream_id, limit);
    });
    boost::json::array out;
    for (const auto& e : entries) {
      out.push_back({{"id", e.id},
                     {"at", util::IsoTime(e.at_ms)},
                     {"actor_id", OptJson(e.actor_id)},
                     {"actor_name", OptJson(e.actor_name)},
                     {"action", e.action},
                     {"target_user_id", OptJson(e.target_user_id)},
                     {"target_name", OptJson(e.target_name)},
                     {"detail", e.detail}});
    }
    return {{"entries", std::move(out)}};
  };
  co_return co_await Blocking(std::move(work));
}

}  // namespace chorus::voice
