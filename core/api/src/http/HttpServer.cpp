#include "http/HttpServer.hpp"

#include <fmt/format.h>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "http/ApiError.hpp"
#include "ops/Log.hpp"

namespace chorus::http {
namespace {

using asio::ip::tcp;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerMaxBytes = 1024 * 1024;

std::pair<std::string, std::string> SplitHostPort(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("--listen must be host:port");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return {host, listen.substr(colon + 1)};
}

bool IsSafeMethod(Verb v) {
  return v == Verb::get || v == Verb::head || v == Verb::options;
}

// Strips the query string from a request target.
std::string_view PathOf(std::string_view target) {
  const auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

}  // namespace

struct HttpServer::Connection : std::enable_shared_from_this<Connection> {
  std::uint64_t id;
  beast::tcp_stream stream;
  std::atomic<bool> busy{false};
  std::atomic<bool> long_lived{false};
  explicit Connection(std::uint64_t i, tcp::socket s) : id(i), stream(std::move(s)) {}
  // Closes the socket from the connection's own strand.
  void Cancel() {
    asio::post(stream.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream.socket().close(ec);
    });
  }
};

HttpServer::HttpServer(asio::io_context& ioc, const config::Config& config, Router& router,
                       ops::Metrics& metrics)
    : ioc_(ioc),
      config_(config),
      router_(router),
      gui_(config.gui_dir, "/", true),
      media_(config.media_dir, "/media/", false),
      acceptor_(ioc),
      requests_(metrics.Counter("chorus_http_requests_total", "HTTP requests by route and status")),
      latency_(metrics.Histogram("chorus_http_request_duration_seconds",
                                 "HTTP request latency by route", ops::Metrics::LatencyBuckets())) {
  metrics.Gauge("chorus_http_open_connections", "Open HTTP connections",
                [this] { return static_cast<double>(OpenConnections()); });
}

void HttpServer::Start() {
  auto [host, port] = SplitHostPort(config_.http.listen);
  tcp::resolver resolver(ioc_);
  auto endpoints = resolver.resolve(host, port);
  tcp::endpoint ep = endpoints.begin()->endpoint();
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(ioc_, Accept(), [](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        ops::Error("http", "accept loop ended", {{"error", ex.what()}});
      }
    }
  });
  ops::Info("http", "listening", {{"address", config_.http.listen}, {"port", port_}});
}

std::size_t HttpServer::OpenConnections() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

asio::awaitable<void> HttpServer::Accept() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), kUseTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) co_return;
      ops::Warn("http", "accept failed", {{"error", ec.message()}});
      continue;
    }
    auto conn = std::make_shared<Connection>(next_id_++, std::move(socket));
    {
      std::lock_guard lock(mu_);
      connections_[conn->id] = conn;
    }
    asio::co_spawn(conn->stream.get_executor(), Serve(conn),
                   [this, id = conn->id](std::exception_ptr e) {
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

void HttpServer::Forget(std::uint64_t id) {
  std::function<void()> done;
  {
    std::lock_guard lock(mu_);
    connections_.erase(id);
    if (stopping_ && connections_.empty() && on_drained_)
      done = std::exchange(on_drained_, nullptr);
  }
  if (done) done();
}

asio::awaitable<void> HttpServer::Serve(std::shared_ptr<Connection> conn) {
  auto& stream = conn->stream;
  beast::flat_buffer buffer;
  std::string client_addr;
  {
    beast::error_code ec;
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) client_addr = ep.address().to_string();
  }
  while (!stopping_) {
    beast::http::request_parser<beast::http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(config_.http.max_header_bytes));
    parser.body_limit(config_.http.max_body_bytes);
    stream.expires_after(config_.http.idle_timeout);
    auto [hec, hn] = co_await beast::http::async_read_header(stream, buffer, parser, kUseTuple);
    if (hec) {
      // A Content-Length over the limit is refused as soon as the header arrives.
      if (hec == beast::http::error::header_limit || hec == beast::http::error::body_limit) {
        const bool body = hec == beast::http::error::body_limit;
        const std::string refused_id = fmt::format("{:x}-{:x}", conn->id, next_id_++);
        Request dummy;
        auto res =
            body ? ErrorResponse(
                       dummy, refused_id, Status::payload_too_large, "body_too_large",
                       fmt::format("request body exceeds {} bytes", config_.http.max_body_bytes))
                 : ErrorResponse(dummy, refused_id, Status::request_header_fields_too_large,
                                 "header_too_large", "request headers are too large");
        res.set("X-Request-Id", refused_id);
        res.keep_alive(false);
        co_await beast::http::async_write(stream, res, kUseTuple);
        requests_.Add(fmt::format(R"(route="-",method="-",status="{}")", res.result_int()));
      }
      break;  // closed, timed out, cancelled or malformed: end quietly
    }
    conn->busy = true;
    const auto started = std::chrono::steady_clock::now();
    const std::string request_id = fmt::format("{:x}-{:x}", conn->id, next_id_++);
    stream.expires_after(config_.http.body_timeout);
    auto [bec, bn] = co_await beast::http::async_read(stream, buffer, parser, kUseTuple);
    Request& req = parser.get();
    Response res;
    bool taken_over = false;
    std::string route = "-";
    if (bec == beast::http::error::body_limit) {
      res =
          ErrorResponse(req, request_id, Status::payload_too_large, "body_too_large",
                        fmt::format("request body exceeds {} bytes", config_.http.max_body_bytes));
      res.keep_alive(false);
    } else if (bec) {
      conn->busy = false;
      break;
    } else {
      stream.expires_never();
      RequestContext ctx{req, stream, client_addr,       request_id,
                         "",  {},     &conn->long_lived, &stopping_};
      res = co_await Dispatch(ctx, taken_over);
      route = ctx.route.empty() ? "-" : ctx.route;
    }
    if (taken_over) {
      conn->busy = false;
      break;
    }
    res.set("X-Request-Id", request_id);
    if (stopping_) res.keep_alive(false);
    const unsigned status = res.result_int();
    const bool keep_alive = res.keep_alive();
    stream.expires_after(config_.http.body_timeout);
    auto [wec, wn] = co_await beast::http::async_write(stream, res, kUseTuple);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    requests_.Add(fmt::format(R"(route="{}",method="{}",status="{}")", route,
                              std::string(req.method_string()), status));
    latency_.Observe(fmt::format(R"(route="{}")", route), seconds);
    ops::Info("http", "request",
              {{"id", request_id},
               {"method", std::string(req.method_string())},
               {"path", std::string(PathOf(req.target()))},
               {"route", route},
               {"status", status},
               {"ms", seconds * 1000.0},
               {"client", client_addr}});
    conn->busy = false;
    if (wec || !keep_alive) break;
  }
  // Lingering close: after refusing a request mid-body (413), the client may still be sending;
  // closing with unread data would reset the connection before it reads our answer. Discard
  // what arrives for a bounded time and amount, then close.
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (!ec) {
    std::array<char, 16 * 1024> scratch{};
    std::size_t drained = 0;
    stream.expires_after(kLingerTimeout);
    while (drained < kLingerMaxBytes) {
      auto [rec, n] = co_await stream.async_read_some(asio::buffer(scratch), kUseTuple);
      if (rec) break;
      drained += n;
    }
  }
  stream.socket().close(ec);
}

void HttpServer::CheckCsrf(const Request& req) const {
  // DESIGN.md: a state-changing request is refused when Origin or Sec-Fetch-Site says
  // cross-site, and must carry the JSON content type or X-Requested-With, which a cross-site
  // HTML form cannot send.
  const auto site = req["Sec-Fetch-Site"];
  if (site == "cross-site") throw Forbidden("cross-site request refused");
  const auto origin = req[beast::http::field::origin];
  if (!origin.empty() && origin != "null") {
    std::string_view pub = config_.public_url;
    while (!pub.empty() && pub.back() == '/') pub.remove_suffix(1);
    const auto host = req[beast::http::field::host];
    const bool same_as_public = origin == pub;
    const bool same_as_host = !host.empty() && (origin == "http://" + std::string(host) ||
                                                origin == "https://" + std::string(host));
    if (!same_as_public && !same_as_host) throw Forbidden("cross-origin request refused");
  } else if (origin == "null") {
    throw Forbidden("cross-origin request refused");
  }
  const auto type = req[beast::http::field::content_type];
  const bool json_type = type.substr(0, 16) == "application/json";
  if (!json_type && req["X-Requested-With"].empty()) {
    throw ApiError(Status::unsupported_media_type, "unsupported_media_type",
                   "state-changing requests must send Content-Type: application/json");
  }
}

// Routes a request to an API handler, a media file or the GUI. No co_await sits inside a try
// block (GCC 12 miscompiles that); handler exceptions come back through co_spawn instead.
asio::awaitable<Response> HttpServer::Dispatch(RequestContext& ctx, bool& taken_over) {
  const Handler* handler = nullptr;
  std::optional<Response> early;
  try {
    early = Route(ctx, handler);
  } catch (...) {
    early = ErrorFor(ctx, std::current_exception());
  }
  if (early || !handler) co_return std::move(*early);
  auto ex = co_await asio::this_coro::executor;
  auto [error, res] = co_await asio::co_spawn(ex, (*handler)(ctx), kUseTuple);
  if (error) co_return ErrorFor(ctx, error);
  if (!res) {
    taken_over = true;
    co_return Response{};
  }
  co_return std::move(*res);
}

std::optional<Response> HttpServer::Route(RequestContext& ctx, const Handler*& handler) {
  const Request& req = ctx.request;
  const std::string_view path = PathOf(req.target());
  const bool api = path.starts_with("/api/") || path == "/api" || path == "/healthz" ||
                   path == "/readyz" || path == "/metrics" || path == "/rtc";
  if (api) {
    auto match = router_.Find(req.method(), path);
    if (!match.handler) {
      if (match.path_known) {
        throw ApiError(Status::method_not_allowed, "method_not_allowed",
                       "method not allowed on this resource")
            .WithHeader("Allow", match.allowed);
      }
      throw NotFound("no such endpoint");
    }
    ctx.route = match.pattern;
    ctx.params = std::move(match.params);
    if (!IsSafeMethod(req.method())) CheckCsrf(req);
    handler = match.handler;
    return std::nullopt;
  }
  if (req.method() != Verb::get && req.method() != Verb::head) {
    throw ApiError(Status::method_not_allowed, "method_not_allowed", "method not allowed");
  }
  if (path.starts_with("/media/")) {
    ctx.route = "/media/*";
    if (auto res = media_.Serve(req, path)) return res;
    throw NotFound("no such media file");
  }
  ctx.route = "/*";
  if (auto res = gui_.Serve(req, path)) return res;
  throw NotFound("no such page (is the GUI built? see --gui-dir)");
}

Response HttpServer::ErrorFor(const RequestContext& ctx, std::exception_ptr error) const {
  try {
    std::rethrow_exception(error);
  } catch (const ApiError& e) {
    auto res = ErrorResponse(ctx.request, ctx.request_id, e.Status(), e.Code(), e.what());
    for (const auto& [name, value] : e.Headers()) res.set(name, value);
    return res;
  } catch (const std::exception& e) {
    ops::Error("http", "handler failed",
               {{"id", ctx.request_id}, {"route", ctx.route}, {"error", e.what()}});
  } catch (...) {
    ops::Error("http", "handler failed", {{"id", ctx.request_id}, {"route", ctx.route}});
  }
  return ErrorResponse(ctx.request, ctx.request_id, Status::internal_server_error, "internal",
                       "internal error; request id " + ctx.request_id);
}

Response HttpServer::ErrorResponse(const Request& req, const std::string& request_id, Status status,
                                   const std::string& code, const std::string& message) const {
  boost::json::object err{{"code", code}, {"message", message}};
  if (request_id != "-") err["request_id"] = request_id;
  return JsonResponse(req, status, boost::json::object{{"error", std::move(err)}});
}

void HttpServer::Stop(std::function<void()> done) {
  asio::post(ioc_, [this, done = std::move(done)]() mutable {
    if (stopping_.exchange(true)) return;
    beast::error_code ec;
    acceptor_.close(ec);
    std::vector<std::shared_ptr<Connection>> conns;
    {
      std::lock_guard lock(mu_);
      if (connections_.empty()) {
        done();
        return;
      }
      on_drained_ = done;
      for (auto& [_, c] : connections_) conns.push_back(c);
    }
    // Idle keep-alive and long-lived connections end now; busy ones finish their request.
    for (auto& c : conns) {
      if (!c->busy || c->long_lived) c->Cancel();
    }
    shutdown_timer_ = std::make_unique<asio::steady_timer>(ioc_, config_.http.shutdown_timeout);
    shutdown_timer_->async_wait([this](beast::error_code) {
      std::vector<std::shared_ptr<Connection>> left;
      std::function<void()> fire;
      {
        std::lock_guard lock(mu_);
        for (auto& [_, c] : connections_) left.push_back(c);
        if (!left.empty())
          ops::Warn("http", "forcing connections closed", {{"count", left.size()}});
        fire = std::exchange(on_drained_, nullptr);
      }
      for (auto& c : left) c->Cancel();
      if (fire) fire();
    });
  });
}

}  // namespace chorus::http
