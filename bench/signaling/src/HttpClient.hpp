// One keep-alive HTTP/1.1 connection to chorusd (Boost.Beast), reconnecting when the server
// closed it. Errors come back as values: a coroutine here never throws on network input.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace chorus::bench {

// A finished exchange: status (0 when the transport failed), body, and the session cookie
// ("chorus_session=…") when the answer set one.
struct HttpReply {
  int status = 0;
  std::string body;
  std::string session_cookie;
  std::string error;  // transport error text when status == 0
};

class HttpClient {
 public:
  static constexpr std::chrono::seconds kRequestTimeout{60};

  HttpClient(boost::asio::any_io_executor ex, boost::asio::ip::tcp::endpoint server);

  // Sends one request (JSON body when `body` is not empty, `X-Requested-With` always, so the
  // CSRF rules accept it) with `cookie` ("name=value" or empty) and reads the whole answer.
  // Reconnects once when the kept-alive connection turns out closed.
  boost::asio::awaitable<HttpReply> Request(boost::beast::http::verb verb, std::string target,
                                            std::string body, std::string cookie);

 private:
  boost::asio::awaitable<HttpReply> Once(boost::beast::http::verb verb, const std::string& target,
                                         const std::string& body, const std::string& cookie,
                                         bool& reusable_failed);

  boost::asio::ip::tcp::endpoint server_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace chorus::bench
