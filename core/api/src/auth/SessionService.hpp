// Browser sessions: a random 256-bit token in the `chorus_session` cookie, stored only as its
// SHA-256 hash. Resolves the signed-in user of a request.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/Config.hpp"
#include "http/Types.hpp"
#include "store/Database.hpp"
#include "util/BlockingPool.hpp"

namespace chorus::auth {

inline constexpr std::string_view kSessionCookie = "chorus_session";

struct AuthedUser {
  std::int64_t id = 0;
  std::string username;
  std::string role;  // "admin" | "user"
  std::int64_t session_id = 0;

  bool IsAdmin() const { return role == "admin"; }
  boost::json::object ToJson() const;
};

class SessionService {
 public:
  SessionService(store::Database& db, util::BlockingPool& blocking, const config::Config& config);

  // The signed-in user of the request, or std::nullopt.
  boost::asio::awaitable<std::optional<AuthedUser>> Current(const http::RequestContext& ctx);
  // The signed-in user; throws 401 unauthenticated.
  boost::asio::awaitable<AuthedUser> Require(const http::RequestContext& ctx);
  // The signed-in admin; throws 401 or 403.
  boost::asio::awaitable<AuthedUser> RequireAdmin(const http::RequestContext& ctx);

  // Creates a session for `user_id` and returns its token (for the cookie).
  boost::asio::awaitable<std::string> Create(std::int64_t user_id, std::string client_addr);
  // Ends the session with this token; returns its id (0 when unknown).
  boost::asio::awaitable<std::int64_t> Destroy(std::string token);

  // Set-Cookie values that set or clear the session cookie.
  std::string SetCookie(const std::string& token) const;
  std::string ClearCookie() const;

  // Called with a session id when it ends (logout), e.g. to revoke its voice tokens.
  void OnSessionEnded(std::function<void(std::int64_t session_id, std::int64_t user_id)> fn) {
    ended_listeners_.push_back(std::move(fn));
  }

 private:
  store::Database& db_;
  util::BlockingPool& blocking_;
  const config::Config& config_;
  std::vector<std::function<void(std::int64_t, std::int64_t)>> ended_listeners_;
};

}  // namespace chorus::auth
