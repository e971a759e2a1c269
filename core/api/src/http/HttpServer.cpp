#include "http/HttpServer.hpp"

#include <sys/resource.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/TlsContext.hpp"
#include "ops/Log.hpp"

namespace chorus::http {
namespace {

using asio::ip::tcp;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// After an accept error (EMFILE, ENFILE, ENOBUFS…) wait this long, doubling up to the maximum,
// so a process out of descriptors does not spin on a listener that stays readable.
constexpr auto kAcceptPauseMin = std::chrono::milliseconds(100);
constexpr auto kAcceptPauseMax = std::chrono::milliseconds(1000);
// Descriptors beyond the connection cap for the database, Redis, log files and the SFU.
constexpr rlim_t kSpareDescriptors = 1024;
constexpr auto kRefusalLogEvery = std::chrono::seconds(1);

// Answer for a connection over the cap; fits any socket send buffer, so one non-blocking write
// sends it or nothing.
constexpr std::string_view kBusyResponse =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json\r\n"
    "Cache-Control: no-store\r\n"
    "Retry-After: 1\r\n"
    "Connection: close\r\n"
    "Content-Length: 73\r\n"
    "\r\n"
    R"({"error":{"code":"busy","message":"too many connections; retry shortly"}})";

std::pair<std::string, std::string> SplitHostPort(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("--listen must be host:port");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return {host, listen.substr(colon + 1)};
}

// The host of a URL ("https://[::1]:8443/x" -> "::1"), or empty.
std::string UrlHost(std::string url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  url = url.substr(scheme + 3);
  url = url.substr(0, url.find('/'));
  if (!url.empty() && url.front() == '[') return url.substr(1, url.find(']') - 1);
  return url.substr(0, url.find(':'));
}

std::string AcceptErrorLabel(const beast::error_code& ec) {
  if (ec == asio::error::no_descriptors) return "emfile";
  if (ec.value() == ENFILE) return "enfile";
  if (ec == asio::error::no_buffer_space || ec == asio::error::no_memory) return "enobufs";
  return "other";
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

HttpServer::HttpServer(asio::io_context& ioc, const config::Config& config, Router& router,
                       ops::Metrics& metrics)
    : ioc_(ioc),
      config_(config),
      gui_(config.gui_dir, "/", true),
      media_(config.media_dir, "/media/", false),
      origins_(config),
      proxies_(config.http.trusted_proxies),
      shared_{config,
              router,
              gui_,
              media_,
              origins_,
              metrics.Counter("chorus_http_requests_total", "HTTP requests by route and status"),
              metrics.Histogram("chorus_http_request_duration_seconds",
                                "HTTP request latency by route", ops::Metrics::LatencyBuckets()),
              stopping_,
              next_id_,
              proxies_,
              config.http.Tls() && config.SecureCookies(),
              metrics.Counter("chorus_http_tls_handshake_failures_total",
                              "TLS handshakes that failed or timed out, by reason")},
      accept_strand_(asio::make_strand(ioc)),
      acceptor_(accept_strand_),
      accept_pause_(accept_strand_),
      refused_(metrics.Counter("chorus_http_connections_refused_total",
                               "Connections closed at accept because --http-max-connections "
                               "were open")),
      accept_pauses_(metrics.Counter("chorus_http_accept_pauses_total",
                                     "Accept loop pauses after an accept error, by error")),
      tls_reloads_(metrics.Counter("chorus_http_tls_reloads_total",
                                   "Certificate reloads on SIGHUP, by result")) {
  metrics.Gauge("chorus_http_open_connections", "Open HTTP connections",
                [this] { return static_cast<double>(OpenConnections()); });
}

void HttpServer::PrepareTls() {
  if (!config_.http.Tls()) return;
  if (config_.http.tls_self_signed) {
    auto [listen_host, _] = SplitHostPort(config_.http.listen);
    std::vector<std::string> hosts{UrlHost(config_.public_url)};
    if (listen_host != hosts.front() && listen_host != "0.0.0.0" && listen_host != "::") {
      hosts.push_back(listen_host);
    }
    auto files = EnsureSelfSigned(config_.data_dir + "/tls", hosts);
    tls_cert_path_ = files.cert;
    tls_key_path_ = files.key;
  } else {
    tls_cert_path_ = config_.http.tls_cert;
    tls_key_path_ = config_.http.tls_key;
  }
  tls_ = LoadTlsContext(tls_cert_path_, tls_key_path_);
  ops::Info("http", "tls certificate loaded",
            {{"cert", tls_cert_path_}, {"sha256", CertificateFingerprint(tls_cert_path_)}});
  reload_signal_ = std::make_unique<asio::signal_set>(accept_strand_, SIGHUP);
  WaitForReloadSignal();
}

void HttpServer::WaitForReloadSignal() {
  reload_signal_->async_wait([this](const beast::error_code& ec, int) {
    if (ec || stopping_) return;
    ReloadTls();
    WaitForReloadSignal();
  });
}

void HttpServer::ReloadTls() {
  std::shared_ptr<asio::ssl::context> fresh;
  try {
    fresh = LoadTlsContext(tls_cert_path_, tls_key_path_);
  } catch (const std::exception& e) {
    tls_reloads_.Add(R"(result="error")");
    ops::Error("http", "tls reload failed; keeping the old certificate", {{"error", e.what()}});
    return;
  }
  {
    std::lock_guard lock(mu_);
    tls_ = std::move(fresh);
  }
  tls_reloads_.Add(R"(result="ok")");
  ops::Info("http", "tls certificate reloaded",
            {{"cert", tls_cert_path_}, {"sha256", CertificateFingerprint(tls_cert_path_)}});
}

void HttpServer::Start() {
  RaiseDescriptorLimit();
  PrepareTls();
  auto [host, port] = SplitHostPort(config_.http.listen);
  tcp::resolver resolver(ioc_);
  auto endpoints = resolver.resolve(host, port);
  tcp::endpoint ep = endpoints.begin()->endpoint();
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(accept_strand_, Accept(), [](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        ops::Error("http", "accept loop ended", {{"error", ex.what()}});
      }
    }
  });
  ops::Info("http", "listening",
            {{"address", config_.http.listen},
             {"port", port_},
             {"tls", tls_ != nullptr},
             {"trusted_proxies", config_.http.trusted_proxies},
             {"max_connections", config_.http.max_connections}});
  if (!config_.http.redirect_listen.empty()) {
    redirect_ = std::make_unique<RedirectServer>(ioc_, config_);
    redirect_->Start();
  }
}

void HttpServer::RaiseDescriptorLimit() const {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(config_.http.max_connections) + kSpareDescriptors;
  if (limit.rlim_cur < wanted && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur < wanted) {
    ops::Warn("http", "file descriptor limit below the connection cap",
              {{"nofile", static_cast<std::int64_t>(limit.rlim_cur)},
               {"max_connections", config_.http.max_connections}});
  }
}

std::size_t HttpServer::OpenConnections() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

asio::awaitable<void> HttpServer::Accept() {
  auto pause = kAcceptPauseMin;
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), kUseTuple);
    if (stopping_) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      const auto label = AcceptErrorLabel(ec);
      accept_pauses_.Add(fmt::format(R"(error="{}")", label));
      ops::Warn("http", "accept paused",
                {{"error", ec.message()}, {"kind", label}, {"retry_ms", pause.count()}});
      accept_pause_.expires_after(pause);
      co_await accept_pause_.async_wait(kUseTuple);
      pause = std::min(pause * 2, kAcceptPauseMax);
      continue;
    }
    pause = kAcceptPauseMin;
    std::shared_ptr<HttpSession> session;
    {
      std::lock_guard lock(mu_);
      if (sessions_.size() < static_cast<std::size_t>(config_.http.max_connections)) {
        session = std::make_shared<HttpSession>(next_id_++, std::move(socket), shared_, tls_);
        sessions_[session->Id()] = session;
      }
    }
    if (!session) {
      Refuse(std::move(socket));
      continue;
    }
    asio::co_spawn(session->Executor(), session->Run(),
                   [this, id = session->Id()](std::exception_ptr e) {
                     if (e) {
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& ex) {
                         ops::Error("http", "connection failed", {{"error", ex.what()}});
                       }
                     }
                     Forget(id);
                   });
  }
}

void HttpServer::Refuse(tcp::socket socket) {
  refused_.Add(R"(reason="limit")");
  const auto now = NowMs();
  auto last = last_refusal_log_ms_.load();
  const auto every = std::chrono::milliseconds(kRefusalLogEvery).count();
  if (now - last >= every && last_refusal_log_ms_.compare_exchange_strong(last, now)) {
    ops::Warn("http", "connection refused: too many open",
              {{"max_connections", config_.http.max_connections}});
  }
  beast::error_code ec;
  socket.non_blocking(true, ec);
  if (!config_.http.Tls()) socket.write_some(asio::buffer(kBusyResponse), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

void HttpServer::Forget(std::uint64_t id) {
  std::function<void()> done;
  {
    std::lock_guard lock(mu_);
    sessions_.erase(id);
    if (stopping_ && sessions_.empty() && on_drained_) done = std::exchange(on_drained_, nullptr);
  }
  if (done) done();
}

void HttpServer::Stop(std::function<void()> done) {
  asio::post(accept_strand_, [this, done = std::move(done)]() mutable {
    if (stopping_.exchange(true)) return;
    beast::error_code ec;
    acceptor_.close(ec);
    accept_pause_.cancel();
    if (reload_signal_) reload_signal_->cancel(ec);
    if (redirect_) redirect_->Stop();
    std::vector<std::shared_ptr<HttpSession>> sessions;
    {
      std::lock_guard lock(mu_);
      if (sessions_.empty()) {
        done();
        return;
      }
      on_drained_ = done;
      for (auto& [_, s] : sessions_) sessions.push_back(s);
    }
    // Idle keep-alive and long-lived connections end now; busy ones finish their request.
    for (auto& s : sessions) {
      if (!s->Busy() || s->LongLived()) s->Cancel();
    }
    shutdown_timer_ = std::make_unique<asio::steady_timer>(ioc_, config_.http.shutdown_timeout);
    shutdown_timer_->async_wait([this](beast::error_code) {
      std::vector<std::shared_ptr<HttpSession>> left;
      std::function<void()> fire;
      {
        std::lock_guard lock(mu_);
        for (auto& [_, s] : sessions_) left.push_back(s);
        if (!left.empty())
          ops::Warn("http", "forcing connections closed", {{"count", left.size()}});
        fire = std::exchange(on_drained_, nullptr);
      }
      for (auto& s : left) s->Cancel();
      if (fire) fire();
    });
  });
}

}  // namespace chorus::http
