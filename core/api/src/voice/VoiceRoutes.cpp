#include "voice/VoiceRoutes.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include "auth/SessionService.hpp"
#include "http/ApiError.hpp"
#include "http/JsonBody.hpp"
#include "http/Stream.hpp"
#include "ops/Log.hpp"
#include "util/Crypto.hpp"

namespace chorus::voice {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using MaybeResponse = std::optional<http::Response>;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::int64_t kMaxLastEventId = 1'000'000'000'000'000;

// A POST that takes no fields: the body must be empty or {}.
void RequireEmptyBody(const http::RequestContext& ctx) {
  http::JsonBody::Parse(ctx.request.body()).AllowOnly({});
}

awaitable<MaybeResponse> Join(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto user = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  RequireEmptyBody(ctx);
  auto body = co_await v.Join(user, id, SfuUrl(s.config, ctx.request));
  co_return http::JsonResponse(ctx.request, http::Status::ok, body);
}

awaitable<MaybeResponse> Leave(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto user = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  auto body = http::JsonBody::Parse(ctx.request.body());
  body.AllowOnly({"reason"});
  const auto reason = body.OptString("reason", 1, 16).value_or("leave");
  if (reason != "leave" && reason != "page_hide") {
    throw http::BadRequest("reason must be 'leave' or 'page_hide'");
  }
  const bool left = co_await v.Leave(user, id, reason == "page_hide");
  co_return http::JsonResponse(ctx.request, http::Status::ok, boost::json::object{{"left", left}});
}

awaitable<MaybeResponse> Heartbeat(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto user = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  RequireEmptyBody(ctx);
  co_await v.Heartbeat(user, id);
  const auto interval =
      std::chrono::duration_cast<std::chrono::milliseconds>(v.Settings().heartbeat_interval);
  co_return http::JsonResponse(
      ctx.request, http::Status::ok,
      boost::json::object{{"ok", true}, {"heartbeat_interval_ms", interval.count()}});
}

awaitable<MaybeResponse> Roster(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  auto roster = co_await v.Roster(id);
  co_return http::JsonResponse(ctx.request, http::Status::ok, roster);
}

awaitable<MaybeResponse> State(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  auto state = co_await v.State(id);
  // A strong validator over the body itself, so it stays right across state-backend restarts.
  const std::string body = boost::json::serialize(state);
  const std::string etag = "\"" + util::Sha256Hex(body).substr(0, 32) + "\"";
  const auto if_none_match = ctx.request[http::beast::http::field::if_none_match];
  if (!if_none_match.empty() && (if_none_match == etag || if_none_match == "*" ||
                                 if_none_match.find(etag) != std::string_view::npos)) {
    auto res = http::EmptyResponse(ctx.request, http::Status::not_modified);
    res.set(http::beast::http::field::etag, etag);
    res.set(http::beast::http::field::cache_control, "no-cache");
    co_return res;
  }
  auto res = http::JsonResponse(ctx.request, http::Status::ok, state);
  res.set(http::beast::http::field::etag, etag);
  res.set(http::beast::http::field::cache_control, "no-cache");
  co_return res;
}

// Last-Event-ID from the header (EventSource reconnects) or ?last_event_id= (first connects).
std::optional<std::int64_t> LastEventId(const http::Request& req) {
  std::string text(req["Last-Event-ID"]);
  if (text.empty()) {
    const std::string_view target = req.target();
    const auto q = target.find("last_event_id=");
    if (q != std::string_view::npos) {
      auto rest = target.substr(q + 14);
      text = std::string(rest.substr(0, rest.find('&')));
    }
  }
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') throw http::BadRequest("Last-Event-ID must be a number");
    v = v * 10 + (ch - '0');
  }
  if (v > kMaxLastEventId) return std::nullopt;
  return v;
}

// GET …/events: the room's events as Server-Sent Events (HTML Living Standard §9.2). The
// connection is taken over and ends on server shutdown, a write error or a capped queue.
awaitable<MaybeResponse> Events(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto user = co_await s.sessions.Require(ctx);
  const auto stream_id = ctx.IdParam("id");
  const auto last_id = LastEventId(ctx.request);
  const auto version = co_await v.CheckEventsAllowed(user, stream_id);
  ctx.MarkLongLived();
  ctx.LimitSendBuffer();  // a listener that stops reading is dropped after the write timeout
  auto& hub = v.Events();
  auto client =
      std::make_shared<SseClient>(ctx.stream.get_executor(), stream_id, user.id, user.session_id);
  hub.Add(client);  // before the replay, so nothing falls between the two
  std::string out =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
      "Connection: close\r\nX-Accel-Buffering: no\r\n" +
      std::string(ctx.HstsLine()) + "X-Request-Id: " + ctx.request_id + "\r\n\r\nretry: 2000\n\n";
  std::int64_t sent_id = 0;
  if (last_id && *last_id > version) {
    // The client saw ids this room never reached: the state restarted (in-process state with
    // chorusd, Redis without persistence) and versions began again. Resync, and send the live
    // events from here whatever their ids.
    out += *EventHub::Frame(0, "resync", R"({"type":"resync","reason":"version_reset"})").text;
  } else if (last_id) {
    bool complete = false;
    auto frames = hub.Since(stream_id, *last_id, complete);
    if (!complete && version > *last_id) {
      out += *EventHub::Frame(0, "resync", R"({"type":"resync","reason":"replay_gap"})").text;
    } else {
      for (const auto& f : frames) {
        out += *f.text;
        sent_id = std::max(sent_id, f.id);
      }
    }
    sent_id = std::max(sent_id, *last_id);
  }
  out += *EventHub::Frame(0, "hello",
                          boost::json::serialize(boost::json::object{
                              {"type", "hello"}, {"stream_id", stream_id}, {"version", version}}))
              .text;
  ops::Info("voice", "event listener connected",
            {{"stream_id", stream_id}, {"user_id", user.id}, {"clients", hub.ClientCount()}});
  const auto keepalive = v.Settings().sse_keepalive;
  bool open = true;
  while (open) {
    if (co_await ctx.WriteWithDeadline(out)) break;
    out.clear();
    while (out.empty()) {
      if (ctx.ServerStopping() || hub.ShuttingDown()) {
        open = false;
        break;
      }
      if (!client->HasQueued()) {
        client->wake.expires_after(keepalive);
        auto [tec] = co_await client->wake.async_wait(kUseTuple);
        if (ctx.ServerStopping() || hub.ShuttingDown()) {
          open = false;
          break;
        }
        if (!tec) {
          out = ": keep-alive\n\n";
          break;
        }
      }
      bool overflowed = false;
      for (const auto& f : client->Take(overflowed)) {
        if (f.id > 0 && f.id <= sent_id) continue;  // already sent by the replay
        out += *f.text;
        if (f.id > 0) sent_id = f.id;
      }
      if (overflowed) {
        // Too slow a reader: end the stream; EventSource reconnects with Last-Event-ID.
        open = false;
        break;
      }
    }
    if (!open && !out.empty()) {
      co_await ctx.WriteWithDeadline(out);
    }
  }
  hub.Remove(client);
  ops::Info("voice", "event listener disconnected",
            {{"stream_id", stream_id}, {"user_id", user.id}});
  co_return std::nullopt;
}

awaitable<MaybeResponse> Moderate(app::Services& s, VoiceService& v, http::RequestContext& ctx,
                                  std::string action) {
  auto actor = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  const auto target = ctx.IdParam("user");
  RequireEmptyBody(ctx);
  auto body = co_await v.Moderate(actor, id, target, std::move(action));
  co_return http::JsonResponse(ctx.request, http::Status::ok, body);
}

awaitable<MaybeResponse> PatchRoom(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto actor = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  auto body = http::JsonBody::Parse(ctx.request.body());
  body.AllowOnly({"max_members", "max_speakers"});
  auto max_members = body.OptInt("max_members", 1, 1000);
  auto max_speakers = body.OptInt("max_speakers", 1, 16);
  if (!max_members && !max_speakers) throw http::BadRequest("nothing to change", "empty_patch");
  std::optional<int> members, speakers;
  if (max_members) members = static_cast<int>(*max_members);
  if (max_speakers) speakers = static_cast<int>(*max_speakers);
  auto room = co_await v.UpdateRoom(actor, id, members, speakers);
  co_return http::JsonResponse(ctx.request, http::Status::ok, room);
}

awaitable<MaybeResponse> GetSettings(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto user = co_await s.sessions.Require(ctx);
  auto settings = co_await v.GetSettings(user);
  co_return http::JsonResponse(ctx.request, http::Status::ok, settings);
}

awaitable<MaybeResponse> PutSettings(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto user = co_await s.sessions.Require(ctx);
  auto body = http::JsonBody::Parse(ctx.request.body());
  store::VoiceSettings probe;
  VoiceService::ApplySettings(body, probe);  // 400 before any other work
  auto settings = co_await v.PutSettings(user, std::move(body));
  co_return http::JsonResponse(ctx.request, http::Status::ok, settings);
}

}  // namespace

std::string SfuUrl(const config::Config& config, const http::Request& req) {
  std::string base = config.public_url;
  if (base.empty()) {
    std::string host(req[http::beast::http::field::host]);
    if (host.empty()) host = config.http.listen;
    base = "http://" + host;
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.rfind("https://", 0) == 0) return "wss://" + base.substr(8) + "/rtc";
  if (base.rfind("http://", 0) == 0) return "ws://" + base.substr(7) + "/rtc";
  return base + "/rtc";
}

void AddVoiceRoutes(http::Router& router, app::Services& s, VoiceService& v) {
  using http::Verb;
  const std::string base = "/api/voice/streams/{id}";
  router.Add(Verb::post, base + "/join",
             [&s, &v](http::RequestContext& c) { return Join(s, v, c); });
  router.Add(Verb::post, base + "/leave",
             [&s, &v](http::RequestContext& c) { return Leave(s, v, c); });
  router.Add(Verb::post, base + "/heartbeat",
             [&s, &v](http::RequestContext& c) { return Heartbeat(s, v, c); });
  router.Add(Verb::get, base + "/roster",
             [&s, &v](http::RequestContext& c) { return Roster(s, v, c); });
  router.Add(Verb::get, base + "/state",
             [&s, &v](http::RequestContext& c) { return State(s, v, c); });
  router.Add(Verb::get, base + "/events",
             [&s, &v](http::RequestContext& c) { return Events(s, v, c); });
  for (const std::string action : {"mute", "unmute", "kick"}) {
    router.Add(Verb::post, base + "/members/{user}/" + action,
               [&s, &v, action](http::RequestContext& c) { return Moderate(s, v, c, action); });
  }
  router.Add(Verb::patch, base + "/room",
             [&s, &v](http::RequestContext& c) { return PatchRoom(s, v, c); });
  router.Add(Verb::get, "/api/settings/voice",
             [&s, &v](http::RequestContext& c) { return GetSettings(s, v, c); });
  router.Add(Verb::put, "/api/settings/voice",
             [&s, &v](http::RequestContext& c) { return PutSettings(s, v, c); });
}

}  // namespace chorus::voice
