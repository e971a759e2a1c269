#include "streams/StreamRoutes.hpp"

#include <boost/json.hpp>

#include "auth/SessionService.hpp"
#include "http/ApiError.hpp"
#include "http/JsonBody.hpp"
#include "ops/Log.hpp"
#include "store/UserRepository.hpp"
#include "util/Time.hpp"
#include "voice/VoiceService.hpp"

namespace chorus::streams {
namespace {

using http::asio::awaitable;
using MaybeResponse = std::optional<http::Response>;

constexpr std::size_t kMaxTitle = 200, kMaxDescription = 5000, kMaxUrl = 2000;
constexpr std::int64_t kMaxId = INT64_MAX;

// Checks that an hls_url is empty, a site path, or an http(s) URL.
void ValidateHlsUrl(const std::string& url) {
  if (url.empty() || url.front() == '/' || url.rfind("http://", 0) == 0 ||
      url.rfind("https://", 0) == 0) {
    return;
  }
  throw http::BadRequest("hls_url must be a path starting with '/' or an http(s) URL");
}

void CheckHostExists(store::Connection& c, std::optional<std::int64_t> host_id) {
  if (host_id && !store::UserRepository(c).FindById(*host_id)) {
    throw http::BadRequest("host_id does not name a user", "unknown_user");
  }
}

awaitable<MaybeResponse> List(app::Services& s, http::RequestContext& ctx) {
  co_await s.sessions.Require(ctx);
  auto out = co_await s.blocking.Run([&s] {
    auto streams =
        s.db.With([](store::Connection& c) { return store::StreamRepository(c).List(); });
    boost::json::array list;
    for (const auto& st : streams) {
      const std::int64_t participants =
          s.voice && st.voice_enabled ? s.voice->Participants(st.id) : 0;
      list.push_back(StreamJson(st, participants));
    }
    return list;
  });
  co_return http::JsonResponse(ctx.request, http::Status::ok,
                               boost::json::object{{"streams", std::move(out)}});
}

awaitable<MaybeResponse> Get(app::Services& s, http::RequestContext& ctx) {
  co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  auto found = co_await s.blocking.Run([&s, id] {
    auto stream =
        s.db.With([id](store::Connection& c) { return store::StreamRepository(c).Find(id); });
    std::optional<boost::json::object> json;
    if (stream) {
      json = StreamJson(*stream, s.voice && stream->voice_enabled ? s.voice->Participants(id) : 0);
    }
    return json;
  });
  if (!found) throw http::NotFound("no such stream");
  co_return http::JsonResponse(ctx.request, http::Status::ok, *found);
}

awaitable<MaybeResponse> Create(app::Services& s, http::RequestContext& ctx) {
  auto admin = co_await s.sessions.RequireAdmin(ctx);
  auto body = http::JsonBody::Parse(ctx.request.body());
  body.AllowOnly({"title", "description", "hls_url", "voice_enabled", "host_id"});
  store::StreamInput input;
  input.title = body.RequireString("title", 1, kMaxTitle);
  input.description = body.OptString("description", 0, kMaxDescription).value_or("");
  input.hls_url = body.OptString("hls_url", 0, kMaxUrl).value_or("");
  ValidateHlsUrl(input.hls_url);
  input.voice_enabled = body.OptBool("voice_enabled").value_or(true);
  input.host_id = body.OptNullableInt("host_id", 1, kMaxId).value_or(admin.id);
  auto stream = co_await s.blocking.Run([&s, input] {
    return s.db.With([&](store::Connection& c) {
      store::Stream created;
      c.Transaction([&] {
        CheckHostExists(c, input.host_id);
        created = store::StreamRepository(c).Create(input, util::NowMs());
      });
      return created;
    });
  });
  ops::Info("http", "stream created", {{"stream_id", stream.id}, {"by", admin.id}});
  co_return http::JsonResponse(ctx.request, http::Status::created, StreamJson(stream, 0));
}

awaitable<MaybeResponse> Update(app::Services& s, http::RequestContext& ctx) {
  auto user = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  auto body = http::JsonBody::Parse(ctx.request.body());
  body.AllowOnly({"title", "description", "hls_url", "voice_enabled", "host_id"});
  store::StreamPatch patch;
  patch.title = body.OptString("title", 1, kMaxTitle);
  patch.description = body.OptString("description", 0, kMaxDescription);
  patch.hls_url = body.OptString("hls_url", 0, kMaxUrl);
  if (patch.hls_url) ValidateHlsUrl(*patch.hls_url);
  patch.voice_enabled = body.OptBool("voice_enabled");
  patch.host_id = body.OptNullableInt("host_id", 1, kMaxId);
  if (body.Object().empty()) throw http::BadRequest("nothing to change", "empty_patch");
  if (patch.host_id && !user.IsAdmin())
    throw http::Forbidden("only administrators change the host");
  auto updated = co_await s.blocking.Run([&s, id, patch, user] {
    return s.db.With([&](store::Connection& c) -> std::optional<store::Stream> {
      std::optional<store::Stream> result;
      c.Transaction([&] {
        store::StreamRepository repo(c);
        auto current = repo.Find(id);
        if (!current) throw http::NotFound("no such stream");
        if (!user.IsAdmin() && current->host_id != user.id) {
          throw http::Forbidden("only administrators and the stream's host may change it");
        }
        if (patch.host_id) CheckHostExists(c, *patch.host_id);
        result = repo.Update(id, patch, util::NowMs());
      });
      return result;
    });
  });
  if (!updated) throw http::NotFound("no such stream");
  // Voice turned off ends the call: everyone leaves and their media connections close.
  if (patch.voice_enabled && !*patch.voice_enabled && s.voice) {
    co_await s.voice->EndRoom(id, "voice_disabled");
  }
  co_return http::JsonResponse(ctx.request, http::Status::ok, StreamJson(*updated, 0));
}

// DELETE /api/streams/{id} (administrators): the stream and its voice rows go; the call ends
// (every member leaves with reason voice_disabled and their media connections close).
awaitable<MaybeResponse> Delete(app::Services& s, http::RequestContext& ctx) {
  auto user = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  if (!ctx.request.body().empty()) {
    http::JsonBody::Parse(ctx.request.body()).AllowOnly({});
  }
  if (!user.IsAdmin()) throw http::Forbidden("only administrators delete streams");
  const bool deleted = co_await s.blocking.Run([&s, id] {
    return s.db.With([&](store::Connection& c) { return store::StreamRepository(c).Delete(id); });
  });
  if (!deleted) throw http::NotFound("no such stream");
  if (s.voice) co_await s.voice->EndRoom(id, "voice_disabled");
  ops::Info("http", "stream deleted", {{"stream_id", id}, {"by", user.id}});
  co_return http::JsonResponse(ctx.request, http::Status::ok,
                               boost::json::object{{"deleted", true}, {"id", id}});
}

}  // namespace

boost::json::object StreamJson(const store::Stream& st, std::int64_t voice_participants) {
  boost::json::object o{{"id", st.id},
                        {"title", st.title},
                        {"description", st.description},
                        {"hls_url", st.hls_url},
                        {"voice_enabled", st.voice_enabled},
                        {"created_at", util::IsoTime(st.created_at_ms)},
                        {"updated_at", util::IsoTime(st.updated_at_ms)}};
  o["host_id"] = st.host_id ? boost::json::value(*st.host_id) : boost::json::value(nullptr);
  o["voice"] =
      boost::json::object{{"enabled", st.voice_enabled}, {"participants", voice_participants}};
  return o;
}

void AddStreamRoutes(http::Router& router, app::Services& s) {
  router.Add(http::Verb::get, "/api/streams", [&s](http::RequestContext& c) { return List(s, c); });
  router.Add(http::Verb::post, "/api/streams",
             [&s](http::RequestContext& c) { return Create(s, c); });
  router.Add(http::Verb::get, "/api/streams/{id}",
             [&s](http::RequestContext& c) { return Get(s, c); });
  router.Add(http::Verb::patch, "/api/streams/{id}",
             [&s](http::RequestContext& c) { return Update(s, c); });
  router.Add(http::Verb::delete_, "/api/streams/{id}",
             [&s](http::RequestContext& c) { return Delete(s, c); });
}

}  // namespace chorus::streams
