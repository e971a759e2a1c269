#include "http/Types.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "http/ApiError.hpp"
#include "http/Stream.hpp"

namespace chorus::http {

std::int64_t RequestContext::IdParam(const std::string& name) const {
  const auto it = params.find(name);
  std::int64_t id = 0;
  if (it == params.end()) throw NotFound();
  const auto& s = it->second;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || ptr != s.data() + s.size() || id <= 0) throw NotFound();
  return id;
}

void RequestContext::LimitSendBuffer() const {
  constexpr int kEventStreamSendBufferBytes = 64 * 1024;
  beast::error_code ec;
  stream.socket().set_option(asio::socket_base::send_buffer_size(kEventStreamSendBufferBytes), ec);
}

asio::awaitable<beast::error_code> RequestContext::WriteWithDeadline(std::string_view data) const {
  stream.expires_after(write_timeout);
  auto [ec, n] = co_await asio::async_write(stream, asio::buffer(data.data(), data.size()),
                                            asio::as_tuple(asio::use_awaitable));
  (void)n;
  stream.expires_never();
  co_return ec;
}

std::string RequestContext::Cookie(std::string_view name) const {
  const auto it = request.find(beast::http::field::cookie);
  if (it == request.end()) return {};
  std::string_view all = it->value();
  while (!all.empty()) {
    auto semi = all.find(';');
    std::string_view part = all.substr(0, semi);
    all = semi == std::string_view::npos ? std::string_view{} : all.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
  }
  return {};
}

Response JsonResponse(const Request& req, Status status, const boost::json::value& body) {
  Response res{status, req.version()};
  res.set(beast::http::field::content_type, "application/json");
  res.set(beast::http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

Response EmptyResponse(const Request& req, Status status) {
  Response res{status, req.version()};
  res.set(beast::http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

}  // namespace chorus::http
