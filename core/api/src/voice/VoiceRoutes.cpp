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
constexpr std::int64_t kMaxId = 1'000'000'000'000'000;
constexpr int kDefaultAuditLimit = 50, kMaxAuditLimit = 200;

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

// The pinned field of a PATCH …/room: an array of user ids (range and distinctness are checked
// by UpdateRoom).
std::vector<std::int64_t> ParsePinned(const boost::json::value& v) {
  if (!v.is_array()) throw http::BadRequest("pinned must be an array of user ids");
  std::vector<std::int64_t> out;
  for (const auto& id : v.as_array()) {
    if (!id.is_int64() || id.as_int64() < 1 || id.as_int64() > kMaxId) {
      throw http::BadRequest("pinned must hold positive user ids");
    }
    out.push_back(id.as_int64());
  }
  return out;
}

awaitable<MaybeResponse> PatchRoom(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto actor = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  auto body = http::JsonBody::Parse(ctx.request.body());
  body.AllowOnly({"max_members", "max_speakers", "mode", "slow_mode_seconds", "pinned"});
  RoomPatch patch;
  if (auto n = body.OptInt("max_members", 1, 1000)) patch.max_members = static_cast<int>(*n);
  if (auto n = body.OptInt("max_speakers", 0, 1000)) patch.max_speakers = static_cast<int>(*n);
  if (auto mode = body.OptString("mode", 4, 5)) {
    if (*mode != "open" && *mode != "stage") throw http::BadRequest("mode must be open or stage");
    patch.mode = *mode;
  }
  if (auto n = body.OptInt("slow_mode_seconds", 0, 3600)) {
    patch.slow_mode_seconds = static_cast<int>(*n);
  }
  if (const auto* pinned = body.Object().if_contains("pinned")) patch.pinned = ParsePinned(*pinned);
  if (patch.Empty()) throw http::BadRequest("nothing to change", "empty_patch");
  auto room = co_await v.UpdateRoom(actor, id, std::move(patch));
  co_return http::JsonResponse(ctx.request, http::Status::ok, room);
}

awaitable<MaybeResponse> SetRole(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto actor = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  const auto target = ctx.IdParam("user");
  auto body = http::JsonBody::Parse(ctx.request.body());
  body.AllowOnly({"role"});
  const auto role = body.RequireString("role", 1, 16);
  if (role != "moderator" && role != "member") {
    throw http::BadRequest("role must be 'moderator' or 'member'");
  }
  auto out = co_await v.SetRole(actor, id, target, role);
  co_return http::JsonResponse(ctx.request, http::Status::ok, out);
}

awaitable<MaybeResponse> Moderators(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  auto out = co_await v.Moderators(id);
  co_return http::JsonResponse(ctx.request, http::Status::ok, out);
}

// A body of exactly one required boolean field.
bool RequireBool(const http::RequestContext& ctx, std::string_view field) {
  auto body = http::JsonBody::Parse(ctx.request.body());
  body.AllowOnly({field});
  auto value = body.OptBool(field);
  if (!value) {
    throw http::BadRequest("field '" + std::string(field) + "' is required", "missing_field");
  }
  return *value;
}

awaitable<MaybeResponse> Hand(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto user = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  const bool raised = RequireBool(ctx, "raised");
  auto out = co_await v.RaiseHand(user, id, raised);
  co_return http::JsonResponse(ctx.request, http::Status::ok, out);
}

awaitable<MaybeResponse> Speak(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto actor = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  const auto target = ctx.IdParam("user");
  const bool allow = RequireBool(ctx, "allow");
  auto out = co_await v.Speak(actor, id, target, allow);
  co_return http::JsonResponse(ctx.request, http::Status::ok, out);
}

awaitable<MaybeResponse> Kicks(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto actor = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  auto out = co_await v.Kicks(actor, id);
  co_return http::JsonResponse(ctx.request, http::Status::ok, out);
}

awaitable<MaybeResponse> Unkick(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto actor = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  const auto target = ctx.IdParam("user");
  auto out = co_await v.Unkick(actor, id, target);
  co_return http::JsonResponse(ctx.request, http::Status::ok, out);
}

// ?limit=N (1–200, default 50); any other query parameter is refused.
int AuditLimit(const http::Request& req) {
  const std::string_view target = req.target();
  const auto q = target.find('?');
  if (q == std::string_view::npos) return kDefaultAuditLimit;
  int limit = kDefaultAuditLimit;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    if (!pair.starts_with("limit=")) throw http::BadRequest("unknown query parameter");
    const auto text = pair.substr(6);
    if (text.empty() || text.size() > 3) throw http::BadRequest("limit must be 1–200");
    limit = 0;
    for (char ch : text) {
      if (ch < '0' || ch > '9') throw http::BadRequest("limit must be 1–200");
      limit = limit * 10 + (ch - '0');
    }
    if (limit < 1 || limit > kMaxAuditLimit) throw http::BadRequest("limit must be 1–200");
  }
  return limit;
}

awaitable<MaybeResponse> Audit(app::Services& s, VoiceService& v, http::RequestContext& ctx) {
  auto actor = co_await s.sessions.Require(ctx);
  const auto id = ctx.IdParam("id");
  const int limit = AuditLimit(ctx.request);
  auto out = co_await v.AuditLog(actor, id, limit);
  co_return http::JsonResponse(ctx.request, http::Status::ok, out);
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
  router.Add(Verb::post, base + "/members/{user}/role",
             [&s, &v](http::RequestContext& c) { return SetRole(s, v, c); });
  router.Add(Verb::get, base + "/moderators",
             [&s, &v](http::RequestContext& c) { return Moderators(s, v, c); });
  router.Add(Verb::post, base + "/hand",
             [&s, &v](http::RequestContext& c) { return Hand(s, v, c); });
  router.Add(Verb::post, base + "/members/{user}/speak",
             [&s, &v](http::RequestContext& c) { return Speak(s, v, c); });
  router.Add(Verb::get, base + "/kicks",
             [&s, &v](http::RequestContext& c) { return Kicks(s, v, c); });
  router.Add(Verb::delete_, base + "/kicks/{user}",
             [&s, &v](http::RequestContext& c) { return Unkick(s, v, c); });
  router.Add(Verb::get, base + "/audit",
             [&s, &v](http::RequestContext& c) { return Audit(s, v, c); });
  router.Add(Verb::get, "/api/settings/voice",
             [&s, &v](http::RequestContext& c) { return GetSettings(s, v, c); });
  router.Add(Verb::put, "/api/settings/voice",
             [&s, &v](http::RequestContext& c) { return PutSettings(s, v, c); });
}

}  // namespace chorus::voice
