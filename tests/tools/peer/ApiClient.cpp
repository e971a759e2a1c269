#include "ApiClient.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

namespace chorus::peer {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

namespace {

// Bounds blocking socket calls: a silent server must not hang a test forever.
void SetBlockingTimeouts(asio::ip::tcp::socket& socket, std::chrono::seconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count());
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

}  // namespace

std::string DescribeHttpError(const HttpReply& reply) {
  std::string text = std::to_string(reply.status);
  boost::system::error_code ec;
  const json::value body = json::parse(reply.body, ec);
  if (!ec && body.is_object() && body.as_object().contains("error") &&
      body.at("error").is_object()) {
    const auto& error = body.at("error").as_object();
    if (const auto* code = error.if_contains("code"); code && code->is_string()) {
      text += " " + std::string(code->as_string());
    }
    if (const auto* message = error.if_contains("message"); message && message->is_string()) {
      text += ": " + std::string(message->as_string());
    }
    return text;
  }
  return text + " " + reply.body.substr(0, 200);
}

ApiClient::ApiClient(asio::io_context& io, const std::string& base_url) : io_(io) {
  auto url = boost::urls::parse_uri(base_url);
  if (!url || url->scheme() != "http" || url->host().empty()) return;
  host_ = std::string(url->host());
  port_ = url->has_port() ? std::string(url->port()) : "80";
}

std::optional<HttpReply> ApiClient::PostJson(const std::string& target, const std::string& body,
                                             std::string* error) {
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(io_);
  auto endpoints = resolver.resolve(host_, port_, ec);
  asio::ip::tcp::socket socket(io_);
  if (!ec) asio::connect(socket, endpoints, ec);
  if (ec) {
    *error = "cannot connect to http://" + host_ + ":" + port_ + ": " + ec.message();
    return std::nullopt;
  }
  SetBlockingTimeouts(socket, kIoTimeout);
  http::request<http::string_body> request(http::verb::post, target, 11);
  request.set(http::field::host, host_ + ":" + port_);
  request.set(http::field::user_agent, "chorus-peer");
  request.set(http::field::content_type, "application/json");
  if (!cookie_.empty()) request.set(http::field::cookie, cookie_);
  request.body() = body;
  request.prepare_payload();
  http::write(socket, request, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) http::read(socket, buffer, response, ec);
  if (ec) {
    *error = "POST " + target + ": " + ec.message();
    return std::nullopt;
  }
  HttpReply reply;
  reply.status = static_cast<int>(response.result_int());
  reply.body = response.body();
  const auto set_cookie = response[http::field::set_cookie];
  reply.cookie = std::string(set_cookie.substr(0, set_cookie.find(';')));
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return reply;
}

bool ApiClient::SignIn(const std::string& user, const std::string& password, std::string* error) {
  const std::string body =
      json::serialize(json::object{{"username", user}, {"password", password}});
  auto reply = PostJson("/api/auth/register", body, error);
  if (!reply) return false;
  if (reply->status == 409) {
    reply = PostJson("/api/auth/login", body, error);
    if (!reply) return false;
    if (reply->status != 200) {
      *error = "login as " + user + " failed: " + DescribeHttpError(*reply);
      return false;
    }
  } else if (reply->status != 201 && reply->status != 200) {
    *error = "register " + user + " failed: " + DescribeHttpError(*reply);
    return false;
  }
  if (reply->cookie.empty()) {
    *error = "sign-in as " + user + " returned no session cookie";
    return false;
  }
  cookie_ = reply->cookie;
  return true;
}

std::optional<JoinInfo> ApiClient::Join(std::int64_t stream_id, std::string* error) {
  const std::string target = "/api/voice/streams/" + std::to_string(stream_id) + "/join";
  auto reply = PostJson(target, "{}", error);
  if (!reply) return std::nullopt;
  if (reply->status != 200 && reply->status != 201) {
    *error = "join stream " + std::to_string(stream_id) + " failed: " + DescribeHttpError(*reply);
    return std::nullopt;
  }
  boost::system::error_code ec;
  json::value value = json::parse(reply->body, ec);
  if (ec || !value.is_object()) {
    *error = "join returned no JSON object";
    return std::nullopt;
  }
  JoinInfo info;
  info.raw = value.as_object();
  const auto text = [&](const char* key) -> std::string {
    const auto* field = info.raw.if_contains(key);
    if (field == nullptr) return {};
    if (field->is_string()) return std::string(field->as_string());
    if (field->is_int64()) return std::to_string(field->as_int64());
    return {};
  };
  info.room_id = text("room_id");
  info.sfu_url = text("sfu_url");
  info.token = text("token");
  if (const auto* hb = info.raw.if_contains("heartbeat_interval_ms"); hb && hb->is_int64()) {
    info.heartbeat_interval_ms = hb->as_int64();
  }
  if (info.sfu_url.empty() || info.token.empty()) {
    *error = "join response lacks sfu_url or token: " + reply->body.substr(0, 200);
    return std::nullopt;
  }
  if (info.sfu_url.front() == '/') info.sfu_url = "ws://" + host_ + ":" + port_ + info.sfu_url;
  return info;
}

}  // namespace chorus::peer
