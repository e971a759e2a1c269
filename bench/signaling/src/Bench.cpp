#include "Bench.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace chorus::bench {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
namespace {
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kListenersReadyTimeout = 180s;
constexpr auto kEventDeliveryTimeout = 30s;
constexpr const char* kUserPassword = "bench-password-1";

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}
double Secs(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// The integer at obj[a][b] (or obj[a] when b is empty) of a JSON body; 0 when absent.
std::int64_t JsonInt(const std::string& body, const char* a, const char* b = nullptr) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return 0;
  const auto* x = v.as_object().if_contains(a);
  if (x && b) x = x->is_object() ? x->as_object().if_contains(b) : nullptr;
  return x && x->is_int64() ? x->as_int64() : 0;
}

// Pulls indexes from *next until `count` and runs (*op)(client, i) for each.
asio::awaitable<void> PoolWorker(asio::ip::tcp::endpoint server, std::size_t* next,
                                 std::size_t count,
                                 std::function<asio::awaitable<bool>(HttpClient&, std::size_t)>* op,
                                 std::size_t* failures) {
  HttpClient client(co_await asio::this_coro::executor, server);
  while (*next < count) {
    const std::size_t i = (*next)++;
    if (!co_await (*op)(client, i)) ++*failures;
  }
}
}  // namespace

Bench::Bench(asio::io_context& io, BenchOptions options)
    : io_(io),
      opt_(std::move(options)),
      server_(asio::ip::make_address(opt_.host), opt_.port),
      probe_(io.get_executor()) {}

asio::awaitable<Clock::duration> Bench::RunPool(std::size_t count, int concurrency, Op op) {
  std::size_t next = 0, failures = 0, running = 0;
  asio::steady_timer done(io_);
  const auto start = Clock::now();
  for (int w = 0; w < concurrency && static_cast<std::size_t>(w) < count; ++w) {
    ++running;
    asio::co_spawn(io_, PoolWorker(server_, &next, count, &op, &failures),
                   [&running, &done](std::exception_ptr e) {
                     if (e) {
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& ex) {
                         std::fprintf(stderr, "worker failed: %s\n", ex.what());
                       }
                     }
                     --running;
                     done.cancel();
                   });
  }
  while (running > 0) {
    done.expires_after(1h);
    co_await done.async_wait(kUseTuple);
  }
  co_return Clock::now() - start;
}

asio::awaitable<bool> Bench::Setup() {
  HttpClient client(io_.get_executor(), server_);
  const auto colon = opt_.admin.find(':');
  boost::json::object creds{{"username", opt_.admin.substr(0, colon)},
                            {"password", opt_.admin.substr(colon + 1)}};
  auto login = co_await client.Request(http::verb::post, "/api/auth/login",
                                       boost::json::serialize(creds), "");
  if (login.status != 200 || login.session_cookie.empty()) {
    std::fprintf(stderr, "admin login failed: %d %s%s\n", login.status, login.body.c_str(),
                 login.error.c_str());
    co_return false;
  }
  admin_cookie_ = login.session_cookie;
  for (int r = 0; r <= opt_.rooms; ++r) {
    const bool fanout = r == opt_.rooms;
    boost::json::object body{
        {"title", fanout ? std::string("bench fan-out room") : "bench room " + std::to_string(r)},
        {"voice_enabled", true}};
    auto created = co_await client.Request(http::verb::post, "/api/streams",
                                           boost::json::serialize(body), admin_cookie_);
    const auto id = JsonInt(created.body, "id");
    if (created.status != 201 || id == 0) {
      std::fprintf(stderr, "creating a stream failed: %d %s\n", created.status,
                   created.body.c_str());
      co_return false;
    }
    if (fanout) {
      fanout_room_ = id;
    } else {
      rooms_.push_back(id);
    }
  }
  co_return true;
}

asio::awaitable<bool> Bench::Register(Stats& stats) {
  users_.resize(static_cast<std::size_t>(opt_.users));
  for (std::size_t i = 0; i < users_.size(); ++i) {
    users_[i].name = opt_.user_prefix + "_" + std::to_string(i);
  }
  Op op = [this, &stats](HttpClient& client, std::size_t i) -> asio::awaitable<bool> {
    auto& user = users_[i];
    boost::json::object creds{{"username", user.name}, {"password", kUserPassword}};
    const auto t0 = Clock::now();
    auto reply = co_await client.Request(http::verb::post, "/api/auth/register",
                                         boost::json::serialize(creds), "");
    user.id = JsonInt(reply.body, "user", "id");
    user.cookie = reply.session_cookie;
    if (reply.status != 201 || user.id == 0 || user.cookie.empty()) {
      stats.AddError();
      if (stats.Errors() <= 3) {
        std::fprintf(stderr, "register %s: %d %s%s\n", user.name.c_str(), reply.status,
                     reply.body.c_str(), reply.error.c_str());
      }
      co_return false;
    }
    stats.Add(Ms(Clock::now() - t0));
    co_return true;
  };
  auto wall = co_await RunPool(users_.size(), opt_.register_concurrency, op);
  std::printf("%s\n", stats.Summary("register (argon2id)", wall).c_str());
  co_return stats.Errors() == 0;
}

asio::awaitable<bool> Bench::VoiceCall(HttpClient& client, const BenchUser& user,
                                       std::int64_t stream_id, const char* action, Stats& stats) {
  const auto t0 = Clock::now();
  auto reply = co_await client.Request(
      http::verb::post, "/api/voice/streams/" + std::to_string(stream_id) + "/" + action, "",
      user.cookie);
  if (reply.status != 200) {
    stats.AddError();
    if (stats.Errors() <= 3) {
      std::fprintf(stderr, "%s %s: %d %s%s\n", action, user.name.c_str(), reply.status,
                   reply.body.c_str(), reply.error.c_str());
    }
    co_return false;
  }
  stats.Add(Ms(Clock::now() - t0));
  co_return true;
}

asio::awaitable<bool> Bench::OpenListeners(std::size_t target) {
  const std::size_t window = static_cast<std::size_t>(std::max(1, opt_.connect_window));
  const auto start = Clock::now();
  while (listeners_.size() < target) {
    // Keep at most `window` connects in flight (the listen backlog is finite).
    co_await probe_.WaitFor(
        [&] { return listeners_.size() - probe_.Ready() - probe_.Closed() < window; },
        kListenersReadyTimeout);
    const auto& user = users_[listeners_.size() % users_.size()];
    auto l = std::make_shared<SseListener>(io_.get_executor(), server_, fanout_room_, user.cookie,
                                           probe_);
    listeners_.push_back(l);
    asio::co_spawn(io_, l->Run(), [](std::exception_ptr) {});
  }
  const bool ok = co_await probe_.WaitFor(
      [&] { return probe_.Ready() + probe_.Closed() >= target; }, kListenersReadyTimeout);
  std::printf("listeners: %zu ready, %zu closed after %.2f s\n", probe_.Ready(), probe_.Closed(),
              Secs(Clock::now() - start));
  co_return ok&& probe_.Ready() == target;
}

asio::awaitable<std::size_t> Bench::MeasureFanout(std::size_t listeners) {
  HttpClient client(io_.get_executor(), server_);
  probe_.ResetLatencies();
  Stats actions;
  std::size_t missing = 0;
  for (int e = 0; e < opt_.fanout_events; ++e) {
    const auto& actor = users_[static_cast<std::size_t>(e / 2) % users_.size()];
    const bool join = e % 2 == 0;
    const std::size_t expected = probe_.Ready();
    probe_.Expect(join ? "member_joined" : "member_left", actor.id, Clock::now(), expected);
    co_await VoiceCall(client, actor, fanout_room_, join ? "join" : "leave", actions);
    co_await probe_.WaitFor([&] { return probe_.Received() >= expected; }, kEventDeliveryTimeout);
    if (probe_.Received() < expected) missing += expected - probe_.Received();
  }
  auto& lat = probe_.Latencies();
  auto& spread = probe_.Spread();
  std::printf(
      "fan-out to %zu listeners: %d events, %zu deliveries, %zu missing\n"
      "  delivery after the join/leave request was sent: p50 %.2f ms  p99 %.2f ms  max %.2f ms\n"
      "  delivery after the event's first delivery:      p50 %.2f ms  p99 %.2f ms  max %.2f ms\n"
      "  the join/leave calls themselves:                p50 %.2f ms  p99 %.2f ms\n",
      listeners, opt_.fanout_events, lat.Count(), missing, lat.Percentile(0.5),
      lat.Percentile(0.99), lat.Max(), spread.Percentile(0.5), spread.Percentile(0.99),
      spread.Max(), actions.Percentile(0.5), actions.Percentile(0.99));
  co_return missing + actions.Errors();
}

long Bench::ServerRssKb() const {
  if (opt_.server_pid <= 0) return 0;
  std::ifstream status("/proc/" + std::to_string(opt_.server_pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

asio::awaitable<int> Bench::Run() {
  std::printf("target http://%s:%u: %d users over %d rooms, %d connections\n", opt_.host.c_str(),
              opt_.port, opt_.users, opt_.rooms, opt_.concurrency);
  if (!co_await Setup()) co_return 1;
  Stats reg;
  if (!co_await Register(reg)) co_return 1;
  int failures = 0;
  const char* actions[] = {"join", "heartbeat", "leave"};
  for (const char* action : actions) {
    const int rounds = std::string_view(action) == "heartbeat" ? opt_.heartbeat_rounds : 1;
    for (int round = 0; round < rounds; ++round) {
      Stats stats;
      Op op = [this, action, &stats](HttpClient& client, std::size_t i) {
        return VoiceCall(client, users_[i], rooms_[i % rooms_.size()], action, stats);
      };
      auto wall = co_await RunPool(users_.size(), opt_.concurrency, op);
      std::printf("%s\n", stats.Summary(action, wall).c_str());
      failures += static_cast<int>(stats.Errors());
    }
  }
  const long base_kb = ServerRssKb();
  std::printf("chorusd RSS before listeners: %ld kB\n", base_kb);
  for (int level : opt_.listener_levels) {
    if (!co_await OpenListeners(static_cast<std::size_t>(level))) ++failures;
    const long kb = ServerRssKb();
    if (base_kb > 0) {
      std::printf("chorusd RSS with %d listeners: %ld kB (+%ld kB, %.1f kB per listener)\n", level,
                  kb, kb - base_kb, static_cast<double>(kb - base_kb) / static_cast<double>(level));
    }
    failures += static_cast<int>(co_await MeasureFanout(probe_.Ready()));
  }
  for (auto& l : listeners_) l->Stop();
  co_await probe_.WaitFor([&] { return probe_.Ready() == 0; }, 10s);
  co_return failures == 0 ? 0 : 1;
}

}  // namespace chorus::bench
