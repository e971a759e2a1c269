#include "auth/LoginThrottle.hpp"

namespace chorus::auth {

std::optional<long> LoginThrottle::BeginLogin(const std::string& username_key,
                                              const std::string& client_addr) {
  const std::string user = UserKey(username_key);
  // The user's own limit first: once it is reached, further attempts do not use up the
  // address's budget (which other users behind the same address share).
  if (auto wait =
          limiter_.Hit(user, settings_.login_max_failures_per_user, settings_.login_failure_window))
    return wait;
  if (auto wait = limiter_.Hit(AddressKey(client_addr), settings_.login_max_failures_per_address,
                               settings_.login_failure_window)) {
    limiter_.Refund(user);
    return wait;
  }
  return std::nullopt;
}

void LoginThrottle::LoginSucceeded(const std::string& username_key,
                                   const std::string& client_addr) {
  limiter_.Reset(UserKey(username_key));
  limiter_.Refund(AddressKey(client_addr));
}

void LoginThrottle::LoginAbandoned(const std::string& username_key,
                                   const std::string& client_addr) {
  limiter_.Refund(UserKey(username_key));
  limiter_.Refund(AddressKey(client_addr));
}

std::optional<long> LoginThrottle::BeginRegister(const std::string& client_addr) {
  return limiter_.Hit(RegisterKey(client_addr), settings_.register_max_per_address,
                      settings_.register_window);
}

void LoginThrottle::RegisterAbandoned(const std::string& client_addr) {
  limiter_.Refund(RegisterKey(client_addr));
}

}  // namespace chorus::auth
