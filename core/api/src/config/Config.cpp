#include "config/Config.hpp"

#include "config/MediaAddresses.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace chorus::config {
namespace {

// Reads KEY=VALUE lines of a .env file into the environment, without overriding variables that
// are already set (the real environment wins). Blank lines and '#' comments are skipped.
void LoadDotEnv(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(first, eq - first);
    std::string value = line.substr(eq + 1);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    ::setenv(key.c_str(), value.c_str(), /*overwrite=*/0);
  }
}

template <class Duration>
void AddSeconds(CLI::App& app, const std::string& flag, const std::string& env, Duration& target,
                const std::string& help) {
  auto* opt = app.add_option_function<long>(
      flag,
      [&target](long v) { target = std::chrono::duration_cast<Duration>(std::chrono::seconds(v)); },
      help + " (seconds, default " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(target).count()) + ")");
  opt->envname(env);
  opt->check(CLI::PositiveNumber);
}

}  // namespace

Config Load(int argc, char** argv, int& exit_code) {
  exit_code = -1;
  const char* env_file = std::getenv("CHORUS_ENV_FILE");
  LoadDotEnv(env_file ? env_file : ".env");

  Config c;
  CLI::App app{"chorusd: Chorus voice chat server"};
  app.option_defaults()->always_capture_default();
  app.add_option("--listen", c.http.listen, "HTTP listen address host:port")
      ->envname("CHORUS_LISTEN");
  app.add_option("--data-dir", c.data_dir, "Directory for the SQLite file, secrets and media")
      ->envname("CHORUS_DATA_DIR");
  app.add_option("--database-url", c.database_url,
                 "sqlite:PATH or postgres://… (default sqlite:<data-dir>/chorus.db)")
      ->envname("CHORUS_DATABASE_URL");
  app.add_option("--db-pool-size", c.db_pool_size, "Database connections (and blocking threads)")
      ->envname("CHORUS_DB_POOL_SIZE")
      ->check(CLI::Range(1, 256));
  app.add_option("--redis-url", c.redis_url, "redis://host:port[/db]; empty = in-process state")
      ->envname("CHORUS_REDIS_URL");
  app.add_option("--log-dir", c.log_dir, "Directory for JSON-lines logs")
      ->envname("CHORUS_LOG_DIR");
  app.add_option("--log-level", c.log_level, "trace|debug|info|warn|error")
      ->envname("CHORUS_LOG_LEVEL");
  app.add_option("--public-url", c.public_url, "URL users reach (default http://<listen>)")
      ->envname("CHORUS_PUBLIC_URL");
  app.add_option("--gui-dir", c.gui_dir, "Built GUI to serve")->envname("CHORUS_GUI_DIR");
  app.add_option("--media-dir", c.media_dir,
                 "Files served under /media/ (default <data-dir>/media)")
      ->envname("CHORUS_MEDIA_DIR");
  app.add_option("--demo-stream", c.demo_stream, "Create a demo stream on first start")
      ->envname("CHORUS_DEMO_STREAM");

  app.add_option("--trusted-proxies", c.http.trusted_proxies,
                 "Reverse proxies (comma-separated CIDRs) whose X-Forwarded-For/Forwarded is used")
      ->envname("CHORUS_TRUSTED_PROXIES");
  app.add_option("--tls-cert", c.http.tls_cert, "PEM certificate chain: serve HTTPS on --listen")
      ->envname("CHORUS_TLS_CERT");
  app.add_option("--tls-key", c.http.tls_key, "PEM private key of --tls-cert")
      ->envname("CHORUS_TLS_KEY");
  app.add_flag("--tls-self-signed", c.http.tls_self_signed,
               "Serve HTTPS with a self-signed certificate kept in <data-dir>/tls (development)")
      ->envname("CHORUS_TLS_SELF_SIGNED");
  AddSeconds(app, "--tls-handshake-timeout", "CHORUS_TLS_HANDSHAKE_TIMEOUT",
             c.http.tls_handshake_timeout, "Close a connection whose TLS handshake takes longer");
  app.add_option("--http-redirect-listen", c.http.redirect_listen,
                 "host:port answering plain HTTP with a redirect to --public-url")
      ->envname("CHORUS_HTTP_REDIRECT_LISTEN");
  app.add_option("--http-threads", c.http.threads, "HTTP I/O threads")
      ->envname("CHORUS_HTTP_THREADS")
      ->check(CLI::Range(1, 64));
  app.add_option("--http-max-body-bytes", c.http.max_body_bytes, "Largest request body (413 above)")
      ->envname("CHORUS_HTTP_MAX_BODY_BYTES");
  app.add_option("--http-max-header-bytes", c.http.max_header_bytes, "Largest request header block")
      ->envname("CHORUS_HTTP_MAX_HEADER_BYTES");
  AddSeconds(app, "--http-idle-timeout", "CHORUS_HTTP_IDLE_TIMEOUT", c.http.idle_timeout,
             "Close a connection idle (or sending headers) this long");
  AddSeconds(app, "--http-body-timeout", "CHORUS_HTTP_BODY_TIMEOUT", c.http.body_timeout,
             "Time allowed to receive a request body");
  AddSeconds(app, "--http-shutdown-timeout", "CHORUS_HTTP_SHUTDOWN_TIMEOUT",
             c.http.shutdown_timeout, "Time in-flight requests get to finish on SIGTERM");
  app.add_option("--http-max-connections", c.http.max_connections,
                 "Open HTTP connections; more are closed at once")
      ->envname("CHORUS_HTTP_MAX_CONNECTIONS")
      ->check(CLI::Range(1, 1000000));
  AddSeconds(app, "--http-write-timeout", "CHORUS_HTTP_WRITE_TIMEOUT", c.http.write_timeout,
             "Drop a client when one write to it (response chunk, SSE event) takes longer");
  std::string allowed_hosts;
  app.add_option("--allowed-hosts", allowed_hosts,
                 "Comma list of host names accepted in Host and Origin besides loopback and the "
                 "public URL's (.example.com = it and its subdomains)")
      ->envname("CHORUS_ALLOWED_HOSTS");

  long session_hours = c.auth.session_ttl.count();
  app.add_option("--session-ttl-hours", session_hours, "Session lifetime")
      ->envname("CHORUS_SESSION_TTL_HOURS")
      ->check(CLI::PositiveNumber);
  app.add_option("--login-max-failures-per-user", c.auth.login_max_failures_per_user,
                 "Failed logins per username per window before 429")
      ->envname("CHORUS_LOGIN_MAX_FAILURES_PER_USER");
  app.add_option("--login-max-failures-per-address", c.auth.login_max_failures_per_address,
                 "Failed logins per client address per window before 429")
      ->envname("CHORUS_LOGIN_MAX_FAILURES_PER_ADDRESS");
  AddSeconds(app, "--login-failure-window", "CHORUS_LOGIN_FAILURE_WINDOW",
             c.auth.login_failure_window, "Window for counting failed logins");
  app.add_option("--register-max-per-address", c.auth.register_max_per_address,
                 "Registrations per client address per window before 429")
      ->envname("CHORUS_REGISTER_MAX_PER_ADDRESS")
      ->check(CLI::PositiveNumber);
  AddSeconds(app, "--register-window", "CHORUS_REGISTER_WINDOW", c.auth.register_window,
             "Window for counting registrations per client address");
  app.add_option("--hash-threads", c.auth.hash_threads,
                 "Threads hashing passwords (argon2id, 64 MiB each while running)")
      ->envname("CHORUS_HASH_THREADS")
      ->check(CLI::Range(1, 64));
  app.add_option("--hash-queue-max", c.auth.hash_queue_max,
                 "Password hashes waiting for a thread before 503 busy")
      ->envname("CHORUS_HASH_QUEUE_MAX")
      ->check(CLI::Range(0, 100000));
  app.add_option("--bootstrap-admin", c.auth.bootstrap_admin,
                 "name:password of the admin created on first start")
      ->envname("CHORUS_BOOTSTRAP_ADMIN");

  app.add_option("--voice-max-members", c.voice.max_members, "Members per voice room")
      ->envname("CHORUS_VOICE_MAX_MEMBERS")
      ->check(CLI::Range(1, 100000));
  AddSeconds(app, "--voice-heartbeat-interval", "CHORUS_VOICE_HEARTBEAT_INTERVAL",
             c.voice.heartbeat_interval, "Heartbeat period asked of clients");
  AddSeconds(app, "--voice-presence-timeout", "CHORUS_VOICE_PRESENCE_TIMEOUT",
             c.voice.presence_timeout, "Evict members whose heartbeats stopped this long");
  AddSeconds(app, "--voice-sweep-interval", "CHORUS_VOICE_SWEEP_INTERVAL", c.voice.sweep_interval,
             "How often stale members are swept");
  AddSeconds(app, "--voice-rejoin-grace", "CHORUS_VOICE_REJOIN_GRACE", c.voice.rejoin_grace,
             "A member rejoining within this keeps the seat without leave/join events");
  AddSeconds(app, "--voice-token-ttl", "CHORUS_VOICE_TOKEN_TTL", c.voice.token_ttl,
             "Room token lifetime");
  app.add_option("--voice-token-secret", c.voice.token_secret,
                 "HS256 secret for room tokens (default: generated once, kept in the database)")
      ->envname("CHORUS_VOICE_TOKEN_SECRET");
  app.add_option("--voice-join-rate", c.voice.join_rate_per_minute,
                 "Join/leave requests per user per minute")
      ->envname("CHORUS_VOICE_JOIN_RATE");
  app.add_option("--voice-settings-rate", c.voice.settings_rate_per_minute,
                 "Voice settings writes per user per minute")
      ->envname("CHORUS_VOICE_SETTINGS_RATE");
  app.add_option("--voice-mute-toggle-rate", c.voice.mute_toggle_rate,
                 "Self mute toggles per user per --voice-mute-toggle-window (all nodes)")
      ->envname("CHORUS_VOICE_MUTE_TOGGLE_RATE")
      ->check(CLI::Range(1, 10000));
  AddSeconds(app, "--voice-mute-toggle-window", "CHORUS_VOICE_MUTE_TOGGLE_WINDOW",
             c.voice.mute_toggle_window, "Window over which the mute toggle bucket refills");
  app.add_option("--voice-sse-replay-events", c.voice.sse_replay_events,
                 "Events per room kept for Last-Event-ID replay")
      ->envname("CHORUS_VOICE_SSE_REPLAY_EVENTS")
      ->check(CLI::Range(1, 100000));
  AddSeconds(app, "--voice-sse-keepalive", "CHORUS_VOICE_SSE_KEEPALIVE", c.voice.sse_keepalive,
             "Keep-alive comment period on voice event streams");

  app.add_option("--rtc-udp-port", c.rtc.udp_port, "The SFU's single UDP port")
      ->envname("CHORUS_RTC_UDP_PORT")
      ->check(CLI::Range(0, 65535));
  app.add_option("--rtc-bind", c.rtc.bind, "Address the SFU's UDP socket binds")
      ->envname("CHORUS_RTC_BIND");
  std::string announce_ips;
  app.add_option("--rtc-announce-ip", announce_ips,
                 "Addresses announced in ICE candidates, comma-separated, first preferred "
                 "(default: the --rtc-bind address, else the default route's interface)")
      ->envname("CHORUS_RTC_ANNOUNCE_IP");
  app.add_option("--rtc-audio-slots", c.rtc.audio_slots, "Receive slots (K loudest) per listener")
      ->envname("CHORUS_RTC_AUDIO_SLOTS")
      ->check(CLI::Range(1, 16));
  app.add_option("--rtc-workers", c.rtc.workers, "Media worker threads (0 = one per core)")
      ->envname("CHORUS_RTC_WORKERS")
      ->check(CLI::Range(0, 256));
  AddSeconds(app, "--rtc-consent-timeout", "CHORUS_RTC_CONSENT_TIMEOUT", c.rtc.consent_timeout,
             "Remove a participant whose ICE checks stop this long");
  app.add_option("--rtc-tcp-port", c.rtc.tcp_port,
                 "The SFU's ICE-TCP port (0 = the same number as --rtc-udp-port)")
      ->envname("CHORUS_RTC_TCP_PORT")
      ->check(CLI::Range(0, 65535));
  app.add_option("--rtc-tcp-max-connections", c.rtc.tcp_max_connections,
                 "ICE-TCP connections open at once (0 = no ICE-TCP)")
      ->envname("CHORUS_RTC_TCP_MAX_CONNECTIONS")
      ->check(CLI::Range(0, 1000000));
  AddSeconds(app, "--rtc-tcp-idle-timeout", "CHORUS_RTC_TCP_IDLE_TIMEOUT", c.rtc.tcp_idle_timeout,
             "Close an ICE-TCP connection whose ICE checks stop this long");
  app.add_option("--rtc-message-rate", c.rtc.message_rate,
                 "Client messages per second on one /rtc socket")
      ->envname("CHORUS_RTC_MESSAGE_RATE")
      ->check(CLI::Range(1, 100000));
  app.add_option("--rtc-message-burst", c.rtc.message_burst,
                 "Burst of client messages on one /rtc socket")
      ->envname("CHORUS_RTC_MESSAGE_BURST")
      ->check(CLI::Range(1, 100000));
  app.add_option("--rtc-mute-rate", c.rtc.mute_rate, "Mute toggles per second on one /rtc socket")
      ->envname("CHORUS_RTC_MUTE_RATE")
      ->check(CLI::Range(1, 1000));
  app.add_option("--rtc-max-queued-bytes", c.rtc.max_queued_bytes,
                 "Server messages queued for one /rtc reader before it is closed")
      ->envname("CHORUS_RTC_MAX_QUEUED_BYTES")
      ->check(CLI::Range(1024, 64 * 1024 * 1024));
  AddSeconds(app, "--rtc-write-timeout", "CHORUS_RTC_WRITE_TIMEOUT", c.rtc.write_timeout,
             "Close an /rtc socket when one message write takes longer");

  std::string turn_urls;
  app.add_option("--turn-urls", turn_urls,
                 "TURN relays for clients, comma-separated turn:/turns: URLs (needs --turn-secret)")
      ->envname("CHORUS_TURN_URLS");
  app.add_option("--turn-secret", c.turn.secret, "coturn's static-auth-secret (use-auth-secret)")
      ->envname("CHORUS_TURN_SECRET");
  AddSeconds(app, "--turn-ttl", "CHORUS_TURN_TTL", c.turn.ttl,
             "Lifetime of the TURN credentials in a join response");

  app.add_flag("--check", c.check_only,
               "Validate the configuration, print what would be announced and served, and exit");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e);
    return c;
  }
  c.auth.session_ttl = std::chrono::hours(session_hours);
  if (c.database_url.empty()) c.database_url = "sqlite:" + c.data_dir + "/chorus.db";
  if (c.media_dir.empty()) c.media_dir = c.data_dir + "/media";
  if (c.http.tls_cert.empty() != c.http.tls_key.empty()) {
    std::fprintf(stderr, "--tls-cert and --tls-key go together\n");
    exit_code = 2;
    return c;
  }
  if (c.http.tls_self_signed && !c.http.tls_cert.empty()) {
    std::fprintf(stderr, "--tls-self-signed and --tls-cert exclude each other\n");
    exit_code = 2;
    return c;
  }
  if (c.public_url.empty()) c.public_url = (c.http.Tls() ? "https://" : "http://") + c.http.listen;
  for (std::size_t start = 0; start <= allowed_hosts.size();) {
    auto comma = allowed_hosts.find(',', start);
    if (comma == std::string::npos) comma = allowed_hosts.size();
    std::string host = allowed_hosts.substr(start, comma - start);
    host.erase(0, host.find_first_not_of(" \t"));
    host.erase(host.find_last_not_of(" \t") + 1);
    if (!host.empty()) c.allowed_hosts.push_back(std::move(host));
    start = comma + 1;
  }
  for (std::size_t start = 0; start < turn_urls.size();) {
    auto comma = turn_urls.find(',', start);
    if (comma == std::string::npos) comma = turn_urls.size();
    std::string url = turn_urls.substr(start, comma - start);
    url.erase(0, url.find_first_not_of(" \t"));
    url.erase(url.find_last_not_of(" \t") + 1);
    if (!url.empty()) {
      if (url.rfind("turn:", 0) != 0 && url.rfind("turns:", 0) != 0) {
        std::fprintf(stderr, "--turn-urls: %s is not a turn: or turns: URL\n", url.c_str());
        exit_code = 2;
        return c;
      }
      c.turn.urls.push_back(std::move(url));
    }
    start = comma + 1;
  }
  if (!announce_ips.empty()) {
    if (auto error = ParseAnnounceList(announce_ips, c.rtc.announce_ips)) {
      std::fprintf(stderr, "%s\n", error->c_str());
      exit_code = 2;
      return c;
    }
  }
  if (!c.turn.urls.empty() && c.turn.secret.empty()) {
    std::fprintf(stderr, "--turn-urls needs --turn-secret (coturn's static-auth-secret)\n");
    exit_code = 2;
    return c;
  }
  return c;
}

}  // namespace chorus::config
