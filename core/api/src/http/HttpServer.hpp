// The HTTP/1.1 listener: accepts connections up to --http-max-connections (more are closed at
// once with a best-effort 503), backs off when the process runs out of file descriptors instead
// of spinning, runs one HttpSession per connection, and shuts down gracefully. With TLS
// configured every connection is HTTPS; SIGHUP reloads the certificate for new connections
// (open ones keep the context they started with, so calls are not dropped).
// Thread affinity: the accept loop runs on its own strand; each session on its own strand;
// OpenConnections and Stop from any thread.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <map>
#include <memory>
#include <mutex>

#include "config/Config.hpp"
#include "http/HttpSession.hpp"
#include "http/OriginPolicy.hpp"
#include "http/RedirectServer.hpp"
#include "http/Router.hpp"
#include "http/StaticFiles.hpp"
#include "http/TrustedProxies.hpp"
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
  // Loads the certificate files again; new connections use them. Keeps the old context and
  // logs an error when they cannot be loaded.
  void ReloadTls();

 private:
  // The certificate and key files: --tls-cert/--tls-key, or the self-signed pair.
  void PrepareTls();
  void WaitForReloadSignal();
  asio::awaitable<void> Accept();
  // Closes a connection over the cap at once, after a best-effort 503 that never blocks.
  void Refuse(asio::ip::tcp::socket socket);
  // Raises the soft file-descriptor limit toward what the connection cap needs.
  void RaiseDescriptorLimit() const;
  void Forget(std::uint64_t id);

  asio::io_context& ioc_;
  const config::Config& config_;
  StaticFiles gui_;
  StaticFiles media_;
  OriginPolicy origins_;
  TrustedProxies proxies_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> next_id_{1};
  SessionShared shared_;
  // The acceptor and its pause timer are used on this strand only (the accept loop, Stop).
  asio::strand<asio::io_context::executor_type> accept_strand_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer accept_pause_;
  unsigned short port_ = 0;
  mutable std::mutex mu_;
  std::map<std::uint64_t, std::shared_ptr<HttpSession>> sessions_;
  std::function<void()> on_drained_;
  std::unique_ptr<asio::steady_timer> shutdown_timer_;
  ops::CounterFamily& refused_;
  ops::CounterFamily& accept_pauses_;
  std::atomic<std::int64_t> last_refusal_log_ms_{0};
  ops::CounterFamily& tls_reloads_;
  std::string tls_cert_path_;
  std::string tls_key_path_;
  std::shared_ptr<asio::ssl::context> tls_;  // guarded by mu_; null = plain HTTP
  std::unique_ptr<asio::signal_set> reload_signal_;
  std::unique_ptr<RedirectServer> redirect_;
};

}  // namespace chorus::http
