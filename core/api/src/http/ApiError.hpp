// The one error type of the API: thrown anywhere in a handler, turned into
// {"error":{"code","message"}} with its status by the router's single catch point.
#pragma once

#include <boost/beast/http/status.hpp>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace chorus::http {

class ApiError : public std::runtime_error {
 public:
  ApiError(boost::beast::http::status status, std::string code, std::string message)
      : std::runtime_error(std::move(message)), status_(status), code_(std::move(code)) {}

  boost::beast::http::status Status() const { return status_; }
  const std::string& Code() const { return code_; }
  // Extra response headers (e.g. Retry-After on 429).
  std::vector<std::pair<std::string, std::string>>& Headers() { return headers_; }
  const std::vector<std::pair<std::string, std::string>>& Headers() const { return headers_; }

  ApiError&& WithHeader(std::string name, std::string value) && {
    headers_.emplace_back(std::move(name), std::move(value));
    return std::move(*this);
  }
  // How long the client should wait, sent as error.retry_after_ms (REST) or retry_after_ms
  // (/rtc error message).
  const std::optional<std::int64_t>& RetryAfterMs() const { return retry_after_ms_; }
  ApiError&& WithRetryAfterMs(std::int64_t ms) && {
    retry_after_ms_ = ms;
    return std::move(*this);
  }

 private:
  boost::beast::http::status status_;
  std::string code_;
  std::optional<std::int64_t> retry_after_ms_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

inline ApiError BadRequest(std::string message, std::string code = "invalid_argument") {
  return {boost::beast::http::status::bad_request, std::move(code), std::move(message)};
}
inline ApiError NotFound(std::string message = "not found") {
  return {boost::beast::http::status::not_found, "not_found", std::move(message)};
}
inline ApiError Unauthenticated(std::string message = "sign in first") {
  return {boost::beast::http::status::unauthorized, "unauthenticated", std::move(message)};
}
inline ApiError Forbidden(std::string message = "not allowed") {
  return {boost::beast::http::status::forbidden, "forbidden", std::move(message)};
}
inline ApiError Conflict(std::string code, std::string message) {
  return {boost::beast::http::status::conflict, std::move(code), std::move(message)};
}
inline ApiError TooManyRequests(std::string code, std::string message, long retry_after_s) {
  return ApiError(boost::beast::http::status::too_many_requests, std::move(code),
                  std::move(message))
      .WithHeader("Retry-After", std::to_string(retry_after_s < 1 ? 1 : retry_after_s));
}
// 429 with Retry-After (whole seconds, rounded up) and retry_after_ms.
inline ApiError RetryLater(std::string code, std::string message, std::int64_t retry_after_ms) {
  return TooManyRequests(std::move(code), std::move(message),
                         static_cast<long>((retry_after_ms + 999) / 1000))
      .WithRetryAfterMs(retry_after_ms);
}
inline ApiError Unavailable(std::string code, std::string message) {
  return {boost::beast::http::status::service_unavailable, std::move(code), std::move(message)};
}

}  // namespace chorus::http
