// One HTTP/1.1 connection: reads requests with size and time limits, checks Host and CSRF,
// routes them, writes each response with a deadline per write (files streamed chunk by chunk),
// and writes one access-log line and metrics per request. A handler may take the connection over
// (SSE, WebSocket); the session ends when it returns.
// Thread affinity: Run on the connection's strand; Cancel, Busy and LongLived from any thread.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <cstdint>
#include <exception>
#include <memory>

#include "config/Config.hpp"
#include "http/OriginPolicy.hpp"
#include "http/Router.hpp"
#include "http/StaticFiles.hpp"
#include "http/Stream.hpp"
#include "http/TrustedProxies.hpp"
#include "ops/Metrics.hpp"

namespace chorus::http {

// What every session of one server shares; owned by HttpServer, outlives its sessions.
struct SessionShared {
  const config::Config& config;
  Router& router;
  const StaticFiles& gui;
  const StaticFiles& media;
  const OriginPolicy& origins;
  ops::CounterFamily& requests;  // by route, method (known methods or "other"), status
  ops::HistogramFamily& latency;
  const std::atomic<bool>& stopping;
  std::atomic<std::uint64_t>& next_request_id;
  const TrustedProxies& proxies;  // whose forwarding headers name the client
  bool hsts = false;              // HTTPS with an https public URL: Strict-Transport-Security
  ops::CounterFamily& tls_handshake_failures;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `tls` is the TLS context for an HTTPS connection, null for plain HTTP.
  HttpSession(std::uint64_t id, asio::ip::tcp::socket socket, const SessionShared& shared,
              std::shared_ptr<asio::ssl::context> tls);

  // Serves requests until the client closes, a limit or error ends the connection, or the
  // server stops; then closes the socket (lingering briefly after a refused upload).
  asio::awaitable<void> Run();
  // Closes the socket from the connection's own strand.
  void Cancel();
  std::uint64_t Id() const { return id_; }
  asio::any_io_executor Executor() { return stream_.get_executor(); }
  bool Busy() const { return busy_; }
  bool LongLived() const { return long_lived_; }

 private:
  // Reads and answers one request; false when the connection must end.
  asio::awaitable<bool> ServeOne(beast::flat_buffer& buffer);
  // Answers a request refused at header time (413, 431).
  asio::awaitable<void> RefuseAtHeader(bool body_too_large);
  asio::awaitable<AnyResponse> Dispatch(RequestContext& ctx, bool& taken_over);
  // Finds where a request goes: sets `handler` for API routes, or returns the file response.
  std::optional<AnyResponse> Route(RequestContext& ctx, const Handler*& handler);
  // The JSON error response for an exception thrown while handling `ctx`.
  Response ErrorFor(const RequestContext& ctx, std::exception_ptr error) const;
  // Writes a message, each chunk within the write timeout.
  asio::awaitable<beast::error_code> Write(beast::http::message_generator& message);
  asio::awaitable<void> LingeringClose();
  // Runs the TLS handshake within --tls-handshake-timeout; false (logged, counted) on failure.
  asio::awaitable<bool> Handshake();
  std::string NextRequestId();

  const std::uint64_t id_;
  const SessionShared& shared_;
  Stream stream_;
  asio::ip::address peer_;
  std::string client_addr_;  // of the current request (TrustedProxies::ClientAddress)
  std::atomic<bool> busy_{false};
  std::atomic<bool> long_lived_{false};
};

}  // namespace chorus::http
