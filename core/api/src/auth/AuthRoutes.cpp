#include "auth/AuthRoutes.hpp"

#include <boost/json.hpp>

#include "auth/LoginThrottle.hpp"
#include "auth/PasswordHashPool.hpp"
#include "auth/SessionService.hpp"
#include "http/ApiError.hpp"
#include "http/JsonBody.hpp"
#include "ops/Log.hpp"
#include "store/DbError.hpp"
#include "store/UserRepository.hpp"
#include "util/Time.hpp"

namespace chorus::auth {
namespace {

using http::asio::awaitable;
using MaybeResponse = std::optional<http::Response>;

constexpr std::size_t kMinUsername = 3, kMaxUsername = 32;
// What a client is told to wait when the hash pool is full: a hash takes well under a second.
constexpr long kBusyRetryAfterSeconds = 1;

struct Credentials {
  std::string username;
  std::string password;
};

Credentials ReadCredentials(const http::Request& req) {
  auto body = http::JsonBody::Parse(req.body());
  body.AllowOnly({"username", "password"});
  Credentials c;
  c.username = body.RequireString("username", 1, 256);
  c.password = body.RequireString("password", 1, 1024);
  return c;
}

http::ApiError InvalidCredentials() {
  return {http::Status::unauthorized, "invalid_credentials", "wrong username or password"};
}

http::ApiError Busy() {
  return http::Unavailable("busy", "the server is busy; try again shortly")
      .WithHeader("Retry-After", std::to_string(kBusyRetryAfterSeconds));
}

struct AuthContext {
  app::Services& services;
  PasswordHashPool& hashing;
  LoginThrottle throttle;
};

// Answers with the user and a fresh session cookie.
awaitable<http::Response> SignedIn(app::Services& s, http::RequestContext& ctx,
                                   const store::User& user, http::Status status) {
  const std::string token = co_await s.sessions.Create(user.id, ctx.client_addr);
  AuthedUser authed{user.id, user.username, user.role, 0};
  auto res =
      http::JsonResponse(ctx.request, status, boost::json::object{{"user", authed.ToJson()}});
  res.set(http::beast::http::field::set_cookie, s.sessions.SetCookie(token));
  co_return res;
}

// Limiter calls may reach Redis: they run on the blocking pool, like every other blocking call.
awaitable<MaybeResponse> Register(AuthContext& a, http::RequestContext& ctx) {
  auto& s = a.services;
  auto creds = ReadCredentials(ctx.request);
  ValidateUsername(creds.username);
  if (creds.password.size() < kMinPasswordBytes || creds.password.size() > kMaxPasswordBytes) {
    throw http::BadRequest("password must be 8–128 characters");
  }
  std::string addr = ctx.client_addr;
  const auto wait = co_await s.blocking.Run([&a, addr] { return a.throttle.BeginRegister(addr); });
  if (wait) {
    ops::Warn("auth", "registration throttled", {{"client", addr}});
    throw http::TooManyRequests("rate_limited", "too many registrations; try again later", *wait);
  }
  auto hash = co_await a.hashing.TryHash(creds.password);
  if (!hash) {
    co_await s.blocking.Run([&a, addr] { a.throttle.RegisterAbandoned(addr); });
    throw Busy();
  }
  // GCC 12 miscompiles co_await inside try blocks: the task reports the conflict as a value.
  auto create = [&s, username = creds.username,
                 hash = std::move(*hash)]() -> std::optional<store::User> {
    try {
      return s.db.With([&](store::Connection& c) {
        return store::UserRepository(c).Create(username, hash, "user", util::NowMs());
      });
    } catch (const store::UniqueViolation&) {
      return std::nullopt;
    }
  };
  auto user = co_await s.blocking.Run(std::move(create));
  if (!user) throw http::Conflict("username_taken", "that username is taken");
  ops::Info("auth", "registered", {{"user_id", user->id}, {"username", user->username}});
  co_return co_await SignedIn(s, ctx, *user, http::Status::created);
}

// What the first blocking step of a sign-in found: a throttle wait, or the user (if any).
struct LoginLookup {
  std::optional<long> wait;
  std::optional<store::User> user;
};

awaitable<MaybeResponse> Login(AuthContext& a, http::RequestContext& ctx) {
  auto& s = a.services;
  auto creds = ReadCredentials(ctx.request);
  std::string name_key = store::UserRepository::UsernameKey(creds.username);
  std::string addr = ctx.client_addr;
  // The attempt is counted as a failure before the password is checked (LoginThrottle).
  auto lookup = co_await s.blocking.Run([&a, &s, name_key, addr, username = creds.username] {
    LoginLookup out;
    out.wait = a.throttle.BeginLogin(name_key, addr);
    if (out.wait) return out;
    out.user = s.db.With(
        [&](store::Connection& c) { return store::UserRepository(c).FindByUsername(username); });
    return out;
  });
  if (lookup.wait) {
    throw http::TooManyRequests("too_many_attempts", "too many failed sign-ins; try again later",
                                *lookup.wait);
  }
  // An unknown user is checked against a dummy hash so timing does not reveal the name.
  auto ok = co_await a.hashing.TryVerify(lookup.user ? lookup.user->password_hash : std::string(),
                                         creds.password);
  if (!ok) {
    co_await s.blocking.Run([&a, name_key, addr] { a.throttle.LoginAbandoned(name_key, addr); });
    throw Busy();
  }
  if (!*ok || !lookup.user) {
    ops::Warn("auth", "login failed", {{"client", addr}});
    throw InvalidCredentials();
  }
  co_await s.blocking.Run([&a, name_key, addr] { a.throttle.LoginSucceeded(name_key, addr); });
  ops::Info("auth", "login", {{"user_id", lookup.user->id}});
  co_return co_await SignedIn(s, ctx, *lookup.user, http::Status::ok);
}

awaitable<MaybeResponse> Logout(app::Services& s, http::RequestContext& ctx) {
  const auto session_id = co_await s.sessions.Destroy(ctx.Cookie(kSessionCookie));
  if (session_id) ops::Info("auth", "logout", {{"session_id", session_id}});
  auto res = http::EmptyResponse(ctx.request, http::Status::no_content);
  res.set(http::beast::http::field::set_cookie, s.sessions.ClearCookie());
  co_return res;
}

awaitable<MaybeResponse> Me(app::Services& s, http::RequestContext& ctx) {
  auto user = co_await s.sessions.Require(ctx);
  co_return http::JsonResponse(ctx.request, http::Status::ok,
                               boost::json::object{{"user", user.ToJson()}});
}

}  // namespace

void AddAuthRoutes(http::Router& router, app::Services& s, PasswordHashPool& hashing) {
  // Lives as long as the router's handlers (the process).
  auto a = std::make_shared<AuthContext>(
      AuthContext{s, hashing, LoginThrottle(s.limiter, s.config.auth)});
  router.Add(http::Verb::post, "/api/auth/register",
             [a](http::RequestContext& ctx) { return Register(*a, ctx); });
  router.Add(http::Verb::post, "/api/auth/login",
             [a](http::RequestContext& ctx) { return Login(*a, ctx); });
  router.Add(http::Verb::post, "/api/auth/logout",
             [&s](http::RequestContext& ctx) { return Logout(s, ctx); });
  router.Add(http::Verb::get, "/api/auth/me",
             [&s](http::RequestContext& ctx) { return Me(s, ctx); });
}

void ValidateUsername(const std::string& username) {
  if (username.size() < kMinUsername || username.size() > kMaxUsername) {
    throw http::BadRequest("username must be 3–32 characters");
  }
  for (char ch : username) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
    if (!ok) throw http::BadRequest("username may contain only letters, digits, '_', '.' and '-'");
  }
}

}  // namespace chorus::auth
