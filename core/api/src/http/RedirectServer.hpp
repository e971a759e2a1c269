// The plain-HTTP listener of an HTTPS chorusd (--http-redirect-listen): every request is
// answered 308 Permanent Redirect to the public URL plus the request target, then closed.
// Reads one header with a size and time limit; caps its open connections.
// Thread affinity: the accept loop on its own strand; each connection on its own strand.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <string>

#include "config/Config.hpp"
#include "http/Types.hpp"

namespace chorus::http {

class RedirectServer {
 public:
  RedirectServer(asio::io_context& ioc, const config::Config& config);

  // Binds --http-redirect-listen and starts accepting. Throws on bind failure.
  void Start();
  // Stops accepting (open connections end within their read timeout).
  void Stop();
  unsigned short Port() const { return port_; }

 private:
  asio::awaitable<void> Accept();
  asio::awaitable<void> Serve(asio::ip::tcp::socket socket);

  asio::io_context& ioc_;
  const config::Config& config_;
  std::string base_;  // the public URL without a trailing slash
  asio::strand<asio::io_context::executor_type> strand_;
  asio::ip::tcp::acceptor acceptor_;
  std::atomic<int> open_{0};
  unsigned short port_ = 0;
};

}  // namespace chorus::http
