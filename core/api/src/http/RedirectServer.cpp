#include "http/RedirectServer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "ops/Log.hpp"

namespace chorus::http {
namespace {

using asio::ip::tcp;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kReadTimeout = std::chrono::seconds(10);
constexpr std::uint32_t kMaxHeaderBytes = 8 * 1024;

}  // namespace

RedirectServer::RedirectServer(asio::io_context& ioc, const config::Config& config)
    : ioc_(ioc),
      config_(config),
      base_(config.public_url),
      strand_(asio::make_strand(ioc)),
      acceptor_(strand_) {
  while (!base_.empty() && base_.back() == '/') base_.pop_back();
}

void RedirectServer::Start() {
  const auto& listen = config_.http.redirect_listen;
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("--http-redirect-listen: host:port");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  tcp::resolver resolver(ioc_);
  const tcp::endpoint ep = resolver.resolve(host, listen.substr(colon + 1)).begin()->endpoint();
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(strand_, Accept(), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      ops::Error("http", "redirect accept loop ended", {{"error", ex.what()}});
    }
  });
  ops::Info("http", "redirecting plain http",
            {{"address", listen}, {"port", port_}, {"to", base_}});
}

void RedirectServer::Stop() {
  asio::post(strand_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
}

asio::awaitable<void> RedirectServer::Accept() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), kUseTuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) continue;  // a transient accept error: the next accept may succeed
    if (open_ >= config_.http.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    ++open_;
    auto ex = socket.get_executor();
    asio::co_spawn(ex, Serve(std::move(socket)), [this](std::exception_ptr e) {
      --open_;
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        ops::Error("http", "redirect connection failed", {{"error", ex.what()}});
      }
    });
  }
}

asio::awaitable<void> RedirectServer::Serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  beast::http::request_parser<beast::http::empty_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  stream.expires_after(kReadTimeout);
  auto [rec, rn] = co_await beast::http::async_read_header(stream, buffer, parser, kUseTuple);
  if (rec) co_return;
  const auto& req = parser.get();
  std::string target(req.target());
  // Only an origin-form target is appended; anything else goes to the front page.
  if (target.empty() || target.front() != '/') target = "/";
  Response res{Status::permanent_redirect, req.version()};
  res.set(beast::http::field::location, base_ + target);
  res.set(beast::http::field::cache_control, "no-store");
  res.keep_alive(false);
  res.prepare_payload();
  stream.expires_after(config_.http.write_timeout);
  co_await beast::http::async_write(stream, res, kUseTuple);  // best effort, then close
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream.socket().close(ec);
}

}  // namespace chorus::http
