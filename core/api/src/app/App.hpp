// chorusd assembled: storage, services, routes, HTTP server and (later) the SFU. Owns them all.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "config/Config.hpp"

namespace chorus::app {

class App {
 public:
  explicit App(config::Config config);
  ~App();

  // Opens and migrates the database, creates the first admin and the demo stream, binds the
  // listeners. Throws with a readable message on failure.
  void Start();
  // Runs the I/O threads until a stop signal (SIGINT/SIGTERM) has drained the server.
  void Run();
  // The bound HTTP port.
  unsigned short HttpPort() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chorus::app
