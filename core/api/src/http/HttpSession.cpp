#include "http/HttpSession.hpp"

#include <fmt/format.h>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "http/ApiError.hpp"
#include "ops/Log.hpp"
#include "store/DbError.hpp"

namespace chorus::http {
namespace {

using asio::ip::tcp;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerMaxBytes = 1024 * 1024;
constexpr std::size_t kMaxLoggedMethodChars = 32;

bool IsSafeMethod(Verb v) {
  return v == Verb::get || v == Verb::head || v == Verb::options;
}

// The metrics label of a method: the methods an API or file route may answer, else "other", so a
// client cannot grow the series set with made-up methods.
std::string_view MethodLabel(Verb v) {
  switch (v) {
    case Verb::get:
    case Verb::head:
    case Verb::post:
    case Verb::put:
    case Verb::patch:
    case Verb::delete_:
    case Verb::options:
      return beast::http::to_string(v);
    default:
      return "other";
  }
}

// Strips the query string from a request target.
std::string_view PathOf(std::string_view target) {
  const auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

Response ErrorResponse(const Request& req, const std::string& request_id, Status status,
                       const std::string& code, const std::string& message,
                       std::optional<std::int64_t> retry_after_ms = std::nullopt) {
  boost::json::object err{{"code", code}, {"message", message}};
  if (request_id != "-") err["request_id"] = request_id;
  if (retry_after_ms) err["retry_after_ms"] = *retry_after_ms;
  return JsonResponse(req, status, boost::json::object{{"error", std::move(err)}});
}

}  // namespace

// A plain or a TLS stream over `socket`.
Stream MakeStream(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls) {
  if (tls) return Stream(std::move(socket), std::move(tls));
  return Stream(std::move(socket));
}

HttpSession::HttpSession(std::uint64_t id, tcp::socket socket, const SessionShared& shared,
                         std::shared_ptr<asio::ssl::context> tls)
    : id_(id), shared_(shared), stream_(MakeStream(std::move(socket), std::move(tls))) {
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) peer_ = ep.address();
  client_addr_ = peer_.to_string();
}

void HttpSession::Cancel() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    self->stream_.socket().close(ec);
  });
}

std::string HttpSession::NextRequestId() {
  return fmt::format("{:x}-{:x}", id_, shared_.next_request_id++);
}

asio::awaitable<void> HttpSession::Run() {
  if (stream_.IsTls() && !co_await Handshake()) {
    beast::error_code ec;
    stream_.socket().close(ec);
    co_return;
  }
  beast::flat_buffer buffer;
  while (!shared_.stopping) {
    if (!co_await ServeOne(buffer)) break;
  }
  co_await LingeringClose();
}

asio::awaitable<bool> HttpSession::Handshake() {
  stream_.expires_after(shared_.config.http.tls_handshake_timeout);
  auto [ec] = co_await stream_.Tls().async_handshake(asio::ssl::stream_base::server, kUseTuple);
  stream_.expires_never();
  if (!ec) co_return true;
  const bool timeout = ec == beast::error::timeout;
  shared_.tls_handshake_failures.Add(timeout ? R"(reason="timeout")" : R"(reason="error")");
  ops::Log(*ops::Logger("http"), spdlog::level::debug, "tls handshake failed",
           {{"client", client_addr_}, {"error", ec.message()}});
  co_return false;
}

asio::awaitable<bool> HttpSession::ServeOne(beast::flat_buffer& buffer) {
  const auto& limits = shared_.config.http;
  beast::http::request_parser<beast::http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  stream_.expires_after(limits.idle_timeout);
  auto [hec, hn] = co_await beast::http::async_read_header(stream_, buffer, parser, kUseTuple);
  if (hec) {
    // A Content-Length over the limit is refused as soon as the header arrives.
    if (hec == beast::http::error::header_limit || hec == beast::http::error::body_limit) {
      co_await RefuseAtHeader(hec == beast::http::error::body_limit);
    }
    co_return false;  // closed, timed out, cancelled or malformed: end quietly
  }
  busy_ = true;
  const auto started = std::chrono::steady_clock::now();
  const std::string request_id = NextRequestId();
  stream_.expires_after(limits.body_timeout);
  auto [bec, bn] = co_await beast::http::async_read(stream_, buffer, parser, kUseTuple);
  Request& req = parser.get();
  client_addr_ = shared_.proxies.ClientAddress(peer_, req);
  AnyResponse res;
  bool taken_over = false;
  std::string route = "-";
  if (bec == beast::http::error::body_limit) {
    Response refused =
        ErrorResponse(req, request_id, Status::payload_too_large, "body_too_large",
                      fmt::format("request body exceeds {} bytes", limits.max_body_bytes));
    refused.keep_alive(false);
    res = std::move(refused);
  } else if (bec) {
    busy_ = false;
    co_return false;
  } else {
    stream_.expires_never();
    RequestContext ctx{req, stream_, client_addr_, request_id,
                       "",  {},      &long_lived_, &shared_.stopping};
    ctx.origins = &shared_.origins;
    ctx.hsts = shared_.hsts;
    ctx.write_timeout = limits.write_timeout;
    res = co_await Dispatch(ctx, taken_over);
    route = ctx.route.empty() ? "-" : ctx.route;
  }
  if (taken_over) {
    busy_ = false;
    co_return false;
  }
  unsigned status = 0;
  std::visit(
      [&](auto& m) {
        m.set("X-Request-Id", request_id);
        if (shared_.hsts) m.set(beast::http::field::strict_transport_security, "max-age=31536000");
        if (shared_.stopping) m.keep_alive(false);
        status = m.result_int();
      },
      res);
  beast::http::message_generator message =
      std::visit([](auto& m) { return beast::http::message_generator(std::move(m)); }, res);
  const bool keep_alive = message.keep_alive();
  // Counted before the response goes out: a client that reads it and at once asks /metrics on
  // another connection must find its request there (seen as a flaky test under ASan). The
  // latency is the time to produce the response; the log line below includes the write.
  shared_.requests.Add(fmt::format(R"(route="{}",method="{}",status="{}")", route,
                                   MethodLabel(req.method()), status));
  shared_.latency.Observe(
      fmt::format(R"(route="{}")", route),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  const auto wec = co_await Write(message);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto method = req.method_string();
  ops::Info("http", "request",
            {{"id", request_id},
             {"method", std::string(method.substr(0, kMaxLoggedMethodChars))},
             {"path", std::string(PathOf(req.target()))},
             {"route", route},
             {"status", status},
             {"ms", seconds * 1000.0},
             {"client", client_addr_}});
  busy_ = false;
  co_return !wec && keep_alive;
}

asio::awaitable<void> HttpSession::RefuseAtHeader(bool body_too_large) {
  const auto& limits = shared_.config.http;
  const std::string refused_id = NextRequestId();
  Request dummy;
  auto res =
      body_too_large
          ? ErrorResponse(dummy, refused_id, Status::payload_too_large, "body_too_large",
                          fmt::format("request body exceeds {} bytes", limits.max_body_bytes))
          : ErrorResponse(dummy, refused_id, Status::request_header_fields_too_large,
                          "header_too_large", "request headers are too large");
  res.set("X-Request-Id", refused_id);
  res.keep_alive(false);
  const unsigned status = res.result_int();
  beast::http::message_generator message(std::move(res));
  co_await Write(message);
  shared_.requests.Add(fmt::format(R"(route="-",method="-",status="{}")", status));
}

asio::awaitable<beast::error_code> HttpSession::Write(beast::http::message_generator& message) {
  beast::error_code ec;
  while (!message.is_done()) {
    auto buffers = message.prepare(ec);
    if (ec) break;
    stream_.expires_after(shared_.config.http.write_timeout);
    auto [wec, n] = co_await stream_.async_write_some(buffers, kUseTuple);
    if (wec) {
      ec = wec;
      break;
    }
    message.consume(n);
  }
  stream_.expires_never();
  co_return ec;
}

// Lingering close: after refusing a request mid-body (413), the client may still be sending;
// closing with unread data would reset the connection before it reads our answer. Discard what
// arrives for a bounded time and amount, then close.
asio::awaitable<void> HttpSession::LingeringClose() {
  beast::error_code ec;
  if (stream_.IsTls()) {
    // TLS close_notify, bounded in time; a client that does not answer is simply cut.
    stream_.expires_after(kLingerTimeout);
    auto [sec] = co_await stream_.Tls().async_shutdown(kUseTuple);
    (void)sec;
    stream_.socket().close(ec);
    co_return;
  }
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (!ec) {
    std::array<char, 16 * 1024> scratch{};
    std::size_t drained = 0;
    stream_.expires_after(kLingerTimeout);
    while (drained < kLingerMaxBytes) {
      auto [rec, n] = co_await stream_.async_read_some(asio::buffer(scratch), kUseTuple);
      if (rec) break;
      drained += n;
    }
  }
  stream_.socket().close(ec);
}

// Routes a request to an API handler, a media file or the GUI. No co_await sits inside a try
// block (GCC 12 miscompiles that); handler exceptions come back through co_spawn instead.
asio::awaitable<AnyResponse> HttpSession::Dispatch(RequestContext& ctx, bool& taken_over) {
  const Handler* handler = nullptr;
  std::optional<AnyResponse> early;
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

std::optional<AnyResponse> HttpSession::Route(RequestContext& ctx, const Handler*& handler) {
  const Request& req = ctx.request;
  CheckHost(req, shared_.origins);  // DNS rebinding: before anything is read or changed
  const std::string_view path = PathOf(req.target());
  const bool api = path.starts_with("/api/") || path == "/api" || path == "/healthz" ||
                   path == "/readyz" || path == "/metrics" || path == "/rtc";
  if (api) {
    auto match = shared_.router.Find(req.method(), path);
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
    if (!IsSafeMethod(req.method())) CheckCsrf(req, shared_.origins);
    handler = match.handler;
    return std::nullopt;
  }
  if (req.method() != Verb::get && req.method() != Verb::head) {
    throw ApiError(Status::method_not_allowed, "method_not_allowed", "method not allowed");
  }
  if (path.starts_with("/media/")) {
    ctx.route = "/media/*";
    if (auto res = shared_.media.Serve(req, path)) return res;
    throw NotFound("no such media file");
  }
  ctx.route = "/*";
  if (auto res = shared_.gui.Serve(req, path)) return res;
  throw NotFound("no such page (is the GUI built? see --gui-dir)");
}

Response HttpSession::ErrorFor(const RequestContext& ctx, std::exception_ptr error) const {
  try {
    std::rethrow_exception(error);
  } catch (const ApiError& e) {
    auto res = ErrorResponse(ctx.request, ctx.request_id, e.Status(), e.Code(), e.what(),
                             e.RetryAfterMs());
    for (const auto& [name, value] : e.Headers()) res.set(name, value);
    return res;
  } catch (const store::Unavailable& e) {
    // The database is down or restarting (the pool reconnects on next use): a retryable 503,
    // never a 500, and never the driver's text in the answer.
    ops::Warn("http", "database unavailable",
              {{"id", ctx.request_id}, {"route", ctx.route}, {"error", e.what()}});
    auto res =
        ErrorResponse(ctx.request, ctx.request_id, Status::service_unavailable,
                      "database_unavailable", "the database is unavailable; try again shortly");
    res.set("Retry-After", "1");
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

}  // namespace chorus::http
