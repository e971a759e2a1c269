// chorus_signaling_bench: load generator for chorusd's voice signaling (see
// bench/signaling/run.sh).
#include <CLI/CLI.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <cstdlib>

#include "Bench.hpp"

namespace {
namespace asio = boost::asio;

// Ends the process when the whole run exceeds its time budget (a bounded benchmark).
asio::awaitable<void> Deadline(int seconds) {
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::seconds(seconds));
  auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec) co_return;
  std::fprintf(stderr, "deadline of %d s reached, stopping\n", seconds);
  std::fflush(stdout);
  std::_Exit(3);
}
}  // namespace

int main(int argc, char** argv) {
  chorus::bench::BenchOptions opt;
  int max_seconds = 1200;
  CLI::App app{"Chorus signaling benchmark: register, join, heartbeat, leave; SSE fan-out"};
  app.add_option("--host", opt.host, "chorusd address (loopback)");
  app.add_option("--port", opt.port, "chorusd HTTP port")->required();
  app.add_option("--users", opt.users, "simulated users")->check(CLI::Range(1, 1000000));
  app.add_option("--rooms", opt.rooms, "voice rooms the users are spread over")
      ->check(CLI::Range(1, 10000));
  app.add_option("--concurrency", opt.concurrency, "connections for join/heartbeat/leave")
      ->check(CLI::Range(1, 10000));
  app.add_option("--register-concurrency", opt.register_concurrency,
                 "connections registering users")
      ->check(CLI::Range(1, 1000));
  app.add_option("--heartbeat-rounds", opt.heartbeat_rounds, "heartbeats per user")
      ->check(CLI::Range(0, 1000));
  app.add_option("--listeners", opt.listener_levels, "SSE listener counts to measure, ascending")
      ->delimiter(',');
  app.add_option("--fanout-events", opt.fanout_events, "events per listener count")
      ->check(CLI::Range(1, 10000));
  app.add_option("--connect-window", opt.connect_window, "SSE connects in flight");
  app.add_option("--server-pid", opt.server_pid, "chorusd pid (for its RSS)");
  app.add_option("--admin", opt.admin, "admin name:password");
  app.add_option("--user-prefix", opt.user_prefix, "prefix of the simulated usernames");
  app.add_option("--max-seconds", max_seconds, "stop after this long (exit 3)");
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  asio::io_context io(1);
  chorus::bench::Bench bench(io, opt);
  int rc = 2;
  asio::co_spawn(io, Deadline(max_seconds), asio::detached);
  asio::co_spawn(io, bench.Run(), [&](std::exception_ptr e, int code) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        std::fprintf(stderr, "benchmark failed: %s\n", ex.what());
      }
    } else {
      rc = code;
    }
    io.stop();
  });
  io.run();
  return rc;
}
