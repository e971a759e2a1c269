// The byte stream of one HTTP connection: plain TCP or TLS over TCP, chosen when the connection
// is accepted. It is a Beast AsyncStream, so the HTTP session and the handlers that take the
// connection over (WebSocket, SSE) are written once for both (as Beast's server-flex example
// does with its plain and ssl sessions). Time limits live on the TCP layer (expires_after).
// Thread affinity: the connection's strand.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

namespace chorus::http {

class Stream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  // A plain TCP connection.
  explicit Stream(boost::asio::ip::tcp::socket socket) : tcp_(std::in_place, std::move(socket)) {}
  // A TLS connection using `context` (kept alive by the connection, so a reloaded certificate
  // only applies to later connections). The handshake is the session's to run.
  Stream(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> context)
      : context_(std::move(context)), tls_(std::in_place, std::move(socket), *context_) {}

  executor_type get_executor() { return Tcp().get_executor(); }
  bool IsTls() const { return tls_.has_value(); }
  TlsStream& Tls() { return *tls_; }
  boost::beast::tcp_stream& Tcp() { return tls_ ? tls_->next_layer() : *tcp_; }
  boost::asio::ip::tcp::socket& socket() { return Tcp().socket(); }
  void expires_after(std::chrono::steady_clock::duration d) { Tcp().expires_after(d); }
  void expires_never() { Tcp().expires_never(); }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          if (tls_) {
            tls_->async_read_some(b, std::move(handler));
          } else {
            tcp_->async_read_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (tls_) {
            tls_->async_write_some(b, std::move(handler));
          } else {
            tcp_->async_write_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

 private:
  std::shared_ptr<boost::asio::ssl::context> context_;  // before tls_, which refers to it
  std::optional<boost::beast::tcp_stream> tcp_;
  std::optional<TlsStream> tls_;
};

// Closes the socket (Beast's close_socket customization point: the WebSocket timeout uses it).
inline void beast_close_socket(Stream& stream) {
  boost::beast::error_code ec;
  stream.socket().close(ec);
}

// WebSocket closing handshake teardown (found by argument-dependent lookup from
// beast::websocket::stream<Stream&>): TLS close_notify, then the TCP shutdown.
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, Stream& stream, TeardownHandler&& handler) {
  if (stream.IsTls()) {
    boost::beast::async_teardown(role, stream.Tls(), std::forward<TeardownHandler>(handler));
  } else {
    boost::beast::async_teardown(role, stream.Tcp(), std::forward<TeardownHandler>(handler));
  }
}

inline void teardown(boost::beast::role_type role, Stream& stream, boost::beast::error_code& ec) {
  if (stream.IsTls()) {
    boost::beast::teardown(role, stream.Tls(), ec);
  } else {
    boost::beast::teardown(role, stream.Tcp(), ec);
  }
}

}  // namespace chorus::http
