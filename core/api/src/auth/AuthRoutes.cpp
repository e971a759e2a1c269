#include "auth/AuthRoutes.hpp"

#include <boost/json.hpp>

#include "auth/PasswordHasher.hpp"
#include "auth/RateLimiter.hpp"
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
constexpr std::size_t kMinPassword = 8, kMaxPassword = 128;

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

awaitable<MaybeResponse> Register(app::Services& s, http::RequestContext& ctx) {
  auto creds = ReadCredentials(ctx.request);
  ValidateUsername(creds.username);
  if (creds.password.size() < kMinPassword || creds.password.size() > kMaxPassword) {
    throw http::BadRequest("password must be 8–128 characters");
  }
  // GCC 12 miscompiles co_await inside try blocks: the task reports the conflict as a value.
  auto create = [&s, creds]() -> std::optional<store::User> {
    const std::string hash = PasswordHasher::Hash(creds.password);
    try {
      return s.db.With([&](store::Connection& c) {
        return store::UserRepository(c).Create(creds.username, hash, "user", util::NowMs());
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

awaitable<MaybeResponse> Login(app::Services& s, http::RequestContext& ctx) {
  auto creds = ReadCredentials(ctx.request);
  const auto& auth = s.config.auth;
  const std::string user_key = "login:user:" + store::UserRepository::UsernameKey(creds.username);
  const std::string addr_key = "login:addr:" + ctx.client_addr;
  auto wait =
      s.limiter.Check(user_key, auth.login_max_failures_per_user, auth.login_failure_window);
  if (!wait) {
    wait =
        s.limiter.Check(addr_key, auth.login_max_failures_per_address, auth.login_failure_window);
  }
  if (wait) {
    throw http::TooManyRequests("too_many_attempts", "too many failed sign-ins; try again later",
                                *wait);
  }
  auto user = co_await s.blocking.Run([&s, creds]() -> std::optional<store::User> {
    auto found = s.db.With([&](store::Connection& c) {
      return store::UserRepository(c).FindByUsername(creds.username);
    });
    // Verify against a dummy hash for unknown names so timing does not reveal them.
    const bool ok = PasswordHasher::Verify(
        found ? found->password_hash : PasswordHasher::DummyHash(), creds.password);
    if (!found || !ok) return std::nullopt;
    return found;
  });
  if (!user) {
    s.limiter.Hit(user_key, auth.login_max_failures_per_user, auth.login_failure_window);
    s.limiter.Hit(addr_key, auth.login_max_failures_per_address, auth.login_failure_window);
    ops::Warn("auth", "login failed", {{"client", ctx.client_addr}});
    throw InvalidCredentials();
  }
  s.limiter.Reset(user_key);
  ops::Info("auth", "login", {{"user_id", user->id}});
  co_return co_await SignedIn(s, ctx, *user, http::Status::ok);
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

void AddAuthRoutes(http::Router& router, app::Services& s) {
  router.Add(http::Verb::post, "/api/auth/register",
             [&s](http::RequestContext& ctx) { return Register(s, ctx); });
  router.Add(http::Verb::post, "/api/auth/login",
             [&s](http::RequestContext& ctx) { return Login(s, ctx); });
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
