#include "HttpClient.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

namespace chorus::bench {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace {
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kSessionCookie = "chorus_session=";
constexpr std::size_t kMaxBodyBytes = 4 * 1024 * 1024;
}  // namespace

HttpClient::HttpClient(asio::any_io_executor ex, asio::ip::tcp::endpoint server)
    : server_(server), stream_(std::move(ex)) {}

asio::awaitable<HttpReply> HttpClient::Request(http::verb verb, std::string target,
                                               std::string body, std::string cookie) {
  bool reusable_failed = false;
  auto reply = co_await Once(verb, target, body, cookie, reusable_failed);
  // A kept-alive connection the server closed meanwhile fails before any answer: retry once
  // on a fresh connection.
  if (reply.status == 0 && reusable_failed) {
    reply = co_await Once(verb, target, body, cookie, reusable_failed);
  }
  co_return reply;
}

asio::awaitable<HttpReply> HttpClient::Once(http::verb verb, const std::string& target,
                                            const std::string& body, const std::string& cookie,
                                            bool& reusable_failed) {
  HttpReply reply;
  const bool reused = connected_;
  reusable_failed = false;
  if (!connected_) {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    buffer_.clear();
    stream_.expires_after(kRequestTimeout);
    auto [cec] = co_await stream_.async_connect(server_, kUseTuple);
    if (cec) {
      reply.error = "connect: " + cec.message();
      co_return reply;
    }
    connected_ = true;
  }
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set("X-Requested-With", "chorus-bench");
  req.keep_alive(true);
  if (!cookie.empty()) req.set(http::field::cookie, cookie);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  stream_.expires_after(kRequestTimeout);
  auto [wec, wn] = co_await http::async_write(stream_, req, kUseTuple);
  (void)wn;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBodyBytes);
  beast::error_code rec = wec;
  if (!wec) {
    auto [ec, rn] = co_await http::async_read(stream_, buffer_, parser, kUseTuple);
    (void)rn;
    rec = ec;
  }
  if (rec) {
    connected_ = false;
    reusable_failed = reused;
    reply.error = rec.message();
    co_return reply;
  }
  auto& res = parser.get();
  reply.status = static_cast<int>(res.result_int());
  const auto [first, last] = res.equal_range(http::field::set_cookie);
  for (auto it = first; it != last; ++it) {
    const std::string_view value = it->value();
    if (value.substr(0, kSessionCookie.size()) == kSessionCookie) {
      reply.session_cookie = std::string(value.substr(0, value.find(';')));
    }
  }
  if (!res.keep_alive()) connected_ = false;
  reply.body = std::move(res.body());
  co_return reply;
}

}  // namespace chorus::bench
