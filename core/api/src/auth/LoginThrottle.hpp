// Throttling of sign-ins and registrations over a RateLimiter. Every attempt is counted before
// the password is checked (increment first), so concurrent attempts can never get more than the
// limit through to a check: of 200 simultaneous wrong passwords for one user, at most
// --login-max-failures-per-user are checked (401) and the rest are refused (429). Attempts that
// end well, or that were never checked, are given back.
//
// Thread-safe. Blocking when the limiter is Redis-backed: call from the blocking pool.
#pragma once

#include <optional>
#include <string>

#include "auth/RateLimiter.hpp"
#include "config/Config.hpp"

namespace chorus::auth {

class LoginThrottle {
 public:
  LoginThrottle(RateLimiter& limiter, const config::AuthSettings& settings)
      : limiter_(limiter), settings_(settings) {}

  // Counts a sign-in attempt as a failure, up front, for the user (`username_key`, the
  // case-folded name) and for the client address. Returns the seconds to wait when either
  // limit is now exceeded (the attempt must be refused unchecked), std::nullopt when the
  // password may be checked. A refusal by the address gives the user's count back.
  std::optional<long> BeginLogin(const std::string& username_key, const std::string& client_addr);
  // The password was right: clears the user's failures and gives the address its count back.
  void LoginSucceeded(const std::string& username_key, const std::string& client_addr);
  // The attempt was admitted but never checked (e.g. the hash pool was busy): gives both counts
  // back.
  void LoginAbandoned(const std::string& username_key, const std::string& client_addr);

  // Counts a registration from `client_addr`; returns the seconds to wait when
  // --register-max-per-address is now exceeded, std::nullopt when it may go ahead.
  std::optional<long> BeginRegister(const std::string& client_addr);
  // The registration was admitted but never attempted (hash pool busy): gives the count back.
  void RegisterAbandoned(const std::string& client_addr);

  // The limiter keys (exposed for tests and logs).
  static std::string UserKey(const std::string& username_key) {
    return "login:user:" + username_key;
  }
  static std::string AddressKey(const std::string& client_addr) {
    return "login:addr:" + client_addr;
  }
  static std::string RegisterKey(const std::string& client_addr) {
    return "register:addr:" + client_addr;
  }

 private:
  RateLimiter& limiter_;
  const config::AuthSettings& settings_;
};

}  // namespace chorus::auth
