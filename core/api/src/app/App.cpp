#include "app/App.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/json/value_from.hpp>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "app/Bootstrap.hpp"
#include "app/Services.hpp"
#include "auth/AuthRoutes.hpp"
#include "auth/PasswordHashPool.hpp"
#include "auth/RateLimiter.hpp"
#include "auth/SessionService.hpp"
#include "config/MediaAddresses.hpp"
#include "http/HttpServer.hpp"
#include "http/Router.hpp"
#include "ops/Log.hpp"
#include "ops/Metrics.hpp"
#include "ops/OpsRoutes.hpp"
#include "rtc/RtcRoutes.hpp"
#include "rtc/SfuMediaControl.hpp"
#include "state/LocalState.hpp"
#include "state/RedisState.hpp"
#include "state/StateRateLimiter.hpp"
#include "store/Database.hpp"
#include "streams/StreamRoutes.hpp"
#include "util/BlockingPool.hpp"
#include "voice/VoiceRoutes.hpp"
#include "voice/VoiceService.hpp"

namespace chorus::app {

struct App::Impl {
  config::Config config;
  boost::asio::io_context ioc;
  ops::Metrics metrics;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<util::BlockingPool> blocking;
  std::unique_ptr<auth::PasswordHashPool> hashing;  // argon2id apart from session lookups
  auth::LocalRateLimiter limiter;
  std::unique_ptr<state::StateBackend> state;
  std::unique_ptr<state::StateRateLimiter> shared_limiter;
  std::unique_ptr<sfu::Sfu> sfu;  // declared before voice: outlives the service that uses it
  rtc_api::LiveMediaRegistry live_media;  // the /rtc connections of this process
  std::unique_ptr<rtc_api::SfuMediaControl> media_control;
  std::unique_ptr<voice::VoiceService> voice;
  std::unique_ptr<auth::SessionService> sessions;
  std::unique_ptr<Services> services;
  http::Router router;
  std::unique_ptr<http::HttpServer> server;
  std::unique_ptr<boost::asio::signal_set> signals;

  explicit Impl(config::Config c) : config(std::move(c)) {}
};

App::App(config::Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}
App::~App() {
  if (impl_->voice) impl_->voice->Stop();
  if (impl_->state) impl_->state->Stop();
  if (impl_->blocking) impl_->blocking->Stop();
  if (impl_->hashing) impl_->hashing->Stop();
}

void App::Start() {
  auto& m = *impl_;
  ParseBootstrapAdmin(m.config.auth.bootstrap_admin);  // a bad one stops us before any write
  std::filesystem::create_directories(m.config.data_dir);
  m.db = store::Database::Open(m.config.database_url, m.config.db_pool_size);
  const int applied = m.db->Migrate();
  ops::Info("db", "database ready",
            {{"backend", m.db->Backend()}, {"migrations_applied", applied}});
  m.blocking =
      std::make_unique<util::BlockingPool>(static_cast<std::size_t>(m.config.db_pool_size));
  m.sessions = std::make_unique<auth::SessionService>(*m.db, *m.blocking, m.config);
  m.hashing = std::make_unique<auth::PasswordHashPool>(
      static_cast<std::size_t>(m.config.auth.hash_threads),
      static_cast<std::size_t>(m.config.auth.hash_queue_max));
  // Voice state: Redis when --redis-url is set (shared by every node, login throttling too;
  // while Redis is down, login throttling falls back to this node's counters).
  auth::RateLimiter* limiter = &m.limiter;
  if (m.config.redis_url.empty()) {
    m.state = std::make_unique<state::LocalState>();
  } else {
    auto endpoint = state::RedisEndpoint::Parse(m.config.redis_url);
    if (!endpoint)
      throw std::runtime_error("--redis-url must be redis://[:password@]host[:port][/db]");
    m.state = std::make_unique<state::RedisState>(*endpoint, m.config.db_pool_size, &m.metrics);
    m.shared_limiter = std::make_unique<state::StateRateLimiter>(*m.state);
    limiter = m.shared_limiter.get();
  }
  ops::Info("voice", "state backend", {{"backend", m.state->Name()}});
  m.services = std::make_unique<Services>(
      Services{m.config, *m.db, *m.blocking, m.metrics, *limiter, *m.sessions});
  Bootstrap(*m.db, m.config);

  m.metrics.Gauge("chorus_db_pool_size", "Database connections in the pool",
                  [&m] { return static_cast<double>(m.db->Stats().size); });
  m.metrics.Gauge("chorus_db_pool_in_use", "Database connections lent out",
                  [&m] { return static_cast<double>(m.db->Stats().in_use); });
  m.metrics.Gauge("chorus_db_pool_waits_total", "Borrows that waited for a free connection",
                  [&m] { return static_cast<double>(m.db->Stats().total_waits); });
  m.metrics.Gauge("chorus_password_hash_in_flight", "Password hashes queued or running",
                  [&m] { return static_cast<double>(m.hashing->InFlight()); });
  m.metrics.Gauge("chorus_password_hash_refusals", "Password hashes refused (503 busy) since start",
                  [&m] { return static_cast<double>(m.hashing->Refused()); });

  m.voice = std::make_unique<voice::VoiceService>(m.ioc, *m.services, *m.state);
  m.services->voice = m.voice.get();
  m.voice->Start();
  const auto announce = config::PlanAnnounce(m.config, config::ReadHostRoutes());
  for (const auto& warning : announce.warnings) {
    ops::Warn("rtc", warning);
    std::cerr << "chorusd: WARNING: " << warning << "\n";  // loud: also on the console
  }
  ops::Info(
      "rtc", "media announced",
      {{"addresses", boost::json::value_from(announce.addresses)}, {"source", announce.source}});
  m.sfu = sfu::Sfu::Start(rtc_api::MakeSfuConfig(m.config.rtc, announce.addresses));
  m.media_control = std::make_unique<rtc_api::SfuMediaControl>(*m.sfu, m.live_media);
  m.voice->SetMediaControl(m.media_control.get());

  ops::AddOpsRoutes(m.router, *m.services, [&m] { return m.state->Ready(); });
  auth::AddAuthRoutes(m.router, *m.services, *m.hashing);
  streams::AddStreamRoutes(m.router, *m.services);
  voice::AddVoiceRoutes(m.router, *m.services, *m.voice);
  rtc_api::AddRtcRoutes(m.router, *m.services, *m.voice, *m.sfu, m.live_media);

  m.server = std::make_unique<http::HttpServer>(m.ioc, m.config, m.router, m.metrics);
  m.server->Start();
}

unsigned short App::HttpPort() const {
  return impl_->server->Port();
}

void App::Run() {
  auto& m = *impl_;
  m.signals = std::make_unique<boost::asio::signal_set>(m.ioc, SIGINT, SIGTERM);
  m.signals->async_wait([&m](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    ops::Info("http", "stopping", {{"signal", signal}});
    if (m.voice) m.voice->Stop();  // ends the event streams and the presence sweep
    m.server->Stop([&m] { m.ioc.stop(); });
  });
  std::vector<std::thread> threads;
  for (int i = 1; i < m.config.http.threads; ++i) threads.emplace_back([&m] { m.ioc.run(); });
  m.ioc.run();
  for (auto& t : threads) t.join();
  ops::Info("http", "stopped");
}

}  // namespace chorus::app
