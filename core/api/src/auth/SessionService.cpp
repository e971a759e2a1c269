#include "auth/SessionService.hpp"

#include "http/ApiError.hpp"
#include "store/SessionRepository.hpp"
#include "util/Crypto.hpp"
#include "util/Time.hpp"

namespace chorus::auth {
namespace {
constexpr std::size_t kTokenBytes = 32;  // 256 bits
// last_seen_at is refreshed at most this often, so reads stay reads.
constexpr std::int64_t kTouchIntervalMs = 5 * 60 * 1000;
}  // namespace

boost::json::object AuthedUser::ToJson() const {
  return {{"id", id}, {"username", username}, {"role", role}};
}

SessionService::SessionService(store::Database& db, util::BlockingPool& blocking,
                               const config::Config& config)
    : db_(db), blocking_(blocking), config_(config) {}

boost::asio::awaitable<std::optional<AuthedUser>> SessionService::Current(
    const http::RequestContext& ctx) {
  const std::string token = ctx.Cookie(kSessionCookie);
  if (token.empty() || token.size() > 128) co_return std::nullopt;
  std::string hash = util::Sha256Hex(token);  // not const: see util/BlockingPool.hpp
  co_return co_await blocking_.Run([this, hash]() -> std::optional<AuthedUser> {
    return db_.With([&](store::Connection& c) -> std::optional<AuthedUser> {
      store::SessionRepository repo(c);
      const std::int64_t now = util::NowMs();
      auto found = repo.FindValid(hash, now);
      if (!found) return std::nullopt;
      if (now - found->session.last_seen_at_ms > kTouchIntervalMs)
        repo.Touch(found->session.id, now);
      return AuthedUser{found->user.id, found->user.username, found->user.role, found->session.id};
    });
  });
}

boost::asio::awaitable<AuthedUser> SessionService::Require(const http::RequestContext& ctx) {
  auto user = co_await Current(ctx);
  if (!user) throw http::Unauthenticated();
  co_return *user;
}

boost::asio::awaitable<AuthedUser> SessionService::RequireAdmin(const http::RequestContext& ctx) {
  auto user = co_await Require(ctx);
  if (!user.IsAdmin()) throw http::Forbidden("administrators only");
  co_return user;
}

boost::asio::awaitable<std::string> SessionService::Create(std::int64_t user_id,
                                                           std::string client_addr) {
  std::string token = util::RandomToken(kTokenBytes);
  std::string hash = util::Sha256Hex(token);  // not const: see util/BlockingPool.hpp
  const auto ttl_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(config_.auth.session_ttl).count();
  co_await blocking_.Run([this, hash, user_id, client_addr, ttl_ms] {
    db_.With([&](store::Connection& c) {
      const std::int64_t now = util::NowMs();
      store::SessionRepository(c).Create(hash, user_id, now, now + ttl_ms, client_addr);
    });
  });
  co_return token;
}

boost::asio::awaitable<std::int64_t> SessionService::Destroy(std::string token) {
  if (token.empty() || token.size() > 128) co_return 0;
  std::string hash = util::Sha256Hex(token);  // not const: see util/BlockingPool.hpp
  auto found = co_await blocking_.Run([this, hash]() -> std::optional<store::SessionWithUser> {
    return db_.With([&](store::Connection& c) -> std::optional<store::SessionWithUser> {
      store::SessionRepository repo(c);
      auto s = repo.FindValid(hash, util::NowMs());
      repo.Delete(hash);
      return s;
    });
  });
  if (!found) co_return 0;
  for (auto& fn : ended_listeners_) fn(found->session.id, found->user.id);
  co_return found->session.id;
}

std::string SessionService::SetCookie(const std::string& token) const {
  const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(config_.auth.session_ttl);
  std::string cookie =
      std::string(kSessionCookie) + "=" + token +
      "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age.count());
  if (config_.SecureCookies()) cookie += "; Secure";
  return cookie;
}

std::string SessionService::ClearCookie() const {
  std::string cookie = std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0";
  if (config_.SecureCookies()) cookie += "; Secure";
  return cookie;
}

}  // namespace chorus::auth
