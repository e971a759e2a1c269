// The HTTP side of joining Chorus voice like the browser does: register (or log in when the
// name is taken) to get the session cookie, then POST /api/voice/streams/{id}/join for the room
// token and the /rtc URL. Blocking Boost.Beast HTTP/1.1 over one TCP connection per request.
// Thread affinity: one caller thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace chorus::peer {

// An HTTP response reduced to what the peer needs.
struct HttpReply {
  int status = 0;
  std::string body;
  std::string cookie;  // "name=value" of the first Set-Cookie, "" if none
};

// What POST /api/voice/streams/{id}/join returns.
struct JoinInfo {
  std::string room_id;
  std::string sfu_url;  // absolute ws:// URL (a relative one is resolved against the API URL)
  std::string token;
  std::int64_t heartbeat_interval_ms = 0;
  boost::json::object raw;
};

class ApiClient {
 public:
  static constexpr std::chrono::seconds kIoTimeout{10};

  // `base_url` is "http://host:port" (a path is ignored). Call Valid() to check it parsed.
  ApiClient(boost::asio::io_context& io, const std::string& base_url);

  bool Valid() const { return !host_.empty(); }
  const std::string& Host() const { return host_; }
  const std::string& Port() const { return port_; }

  // Registers `user`; when the name is taken (409), logs in instead. Keeps the session cookie.
  // Returns false with *error ("login failed: 401 ...").
  bool SignIn(const std::string& user, const std::string& password, std::string* error);
  // Joins the voice room of `stream_id`. nullopt with *error on any failure.
  std::optional<JoinInfo> Join(std::int64_t stream_id, std::string* error);
  // POST with a JSON body and the session cookie; nullopt with *error on a transport failure.
  std::optional<HttpReply> PostJson(const std::string& target, const std::string& body,
                                    std::string* error);

 private:
  boost::asio::io_context& io_;
  std::string host_;
  std::string port_;
  std::string cookie_;
};

// "<status> <error.code>: <error.message>" from a Chorus JSON error body, or the raw body.
std::string DescribeHttpError(const HttpReply& reply);

}  // namespace chorus::peer
