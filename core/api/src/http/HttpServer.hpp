// The HTTP/1.1 server: accepts connections, reads requests with size and time limits, routes
// them, writes one access-log line and metrics per request, and shuts down gracefully.
// Thread affinity: each connection runs on its own strand of the shared io_context.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>
#include <map>
#include <memory>
#include <mutex>

#include "config/Config.hpp"
#include "http/Router.hpp"
#include "http/StaticFiles.hpp"
#include "ops/Metrics.hpp"

namespace chorus::http {

class HttpServer {
 public:
  HttpServer(asio::io_context& ioc, const config::Config& config, Router& router,
             ops::Metrics& metrics);

  // Binds the listen address and starts accepting. Throws on bind failure.
  void Start();
  // The bound port (useful when listening on port 0).
  unsigned short Port() const { return port_; }
  // Stops accepting, lets in-flight requests finish within the shutdown timeout, closes idle and
  // long-lived connections; `done` runs once every connection has ended (or the time is up).
  void Stop(std::function<void()> done);
  bool Stopping() const { return stopping_; }
  std::size_t OpenConnections() const;

 private:
  struct Connection;
  asio::awaitable<void> Accept();
  asio::awaitable<void> Serve(std::shared_ptr<Connection> conn);
  asio::awaitable<Response> Dispatch(RequestContext& ctx, bool& taken_over);
  // Finds where a request goes: sets `handler` for API routes, or returns the static response.
  std::optional<Response> Route(RequestContext& ctx, const Handler*& handler);
  // The JSON error response for an exception thrown while handling `ctx`.
  Response ErrorFor(const RequestContext& ctx, std::exception_ptr error) const;
  void CheckCsrf(const Request& req) const;
  Response ErrorResponse(const Request& req, const std::string& request_id, Status status,
                         const std::string& code, const std::string& message) const;
  void Forget(std::uint64_t id);

  asio::io_context& ioc_;
  const config::Config& config_;
  Router& router_;
  StaticFiles gui_;
  StaticFiles media_;
  asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> next_id_{1};
  mutable std::mutex mu_;
  std::map<std::uint64_t, std::shared_ptr<Connection>> connections_;
  std::function<void()> on_drained_;
  std::unique_ptr<asio::steady_timer> shutdown_timer_;
  ops::CounterFamily& requests_;
  ops::HistogramFamily& latency_;
};

}  // namespace chorus::http
