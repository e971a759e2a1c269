// The signaling benchmark's phases against one chorusd (issue 3, Benchmark): setup (admin login,
// rooms), registration, join, heartbeat, leave, then SSE fan-out at growing listener counts
// with chorusd's RSS read before and after opening the listeners. Single-threaded: everything
// runs on one io_context thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "FanoutProbe.hpp"
#include "HttpClient.hpp"
#include "SseListener.hpp"
#include "Stats.hpp"

namespace chorus::bench {

struct BenchOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  int users = 2000;              // simulated users (each registers, joins, heartbeats, leaves)
  int rooms = 20;                // voice rooms the users are spread over
  int concurrency = 64;          // connections driving join/heartbeat/leave
  int register_concurrency = 8;  // connections registering users (argon2id bound)
  int heartbeat_rounds = 1;
  std::vector<int> listener_levels{1000, 5000};
  int fanout_events = 20;    // events per listener level (alternating join/leave)
  int connect_window = 200;  // SSE connects in flight at once
  int server_pid = 0;        // chorusd's pid, to read its RSS (0: skip memory figures)
  std::string admin = "admin:adminpass123";
  std::string user_prefix = "sb";
};

// One simulated user: session cookie and id.
struct BenchUser {
  std::string name, cookie;
  std::int64_t id = 0;
};

class Bench {
 public:
  Bench(boost::asio::io_context& io, BenchOptions options);

  // Runs every phase and prints the figures; returns the process exit code (0 when every
  // operation succeeded and every listener saw every event).
  boost::asio::awaitable<int> Run();

 private:
  using Op = std::function<boost::asio::awaitable<bool>(HttpClient&, std::size_t)>;

  // Runs op(client, i) for i in [0, count) on `concurrency` kept-alive connections; each op
  // returns whether it succeeded. Returns the wall time taken.
  boost::asio::awaitable<Clock::duration> RunPool(std::size_t count, int concurrency, Op op);
  boost::asio::awaitable<bool> Setup();
  boost::asio::awaitable<bool> Register(Stats& stats);
  // Opens listeners until `target` are ready; false when they did not all come up in time.
  boost::asio::awaitable<bool> OpenListeners(std::size_t target);
  // Sends fanout_events join/leave events into the fan-out room and measures delivery.
  boost::asio::awaitable<std::size_t> MeasureFanout(std::size_t listeners);
  // One timed voice call (join/heartbeat/leave) as `user` on `stream_id`; true on 200.
  boost::asio::awaitable<bool> VoiceCall(HttpClient& client, const BenchUser& user,
                                         std::int64_t stream_id, const char* action, Stats& stats);
  long ServerRssKb() const;

  boost::asio::io_context& io_;
  BenchOptions opt_;
  boost::asio::ip::tcp::endpoint server_;
  std::string admin_cookie_;
  std::vector<std::int64_t> rooms_;
  std::int64_t fanout_room_ = 0;
  std::vector<BenchUser> users_;
  FanoutProbe probe_;
  std::vector<std::shared_ptr<SseListener>> listeners_;
};

}  // namespace chorus::bench
