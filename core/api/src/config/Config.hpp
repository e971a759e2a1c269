// Configuration of chorusd: every setting with its default. Sources, strongest first: command-line
// flags, CHORUS_* environment variables, an optional .env file. docs/golden-settings.md lists them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace chorus::config {

struct HttpSettings {
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds body_timeout{30};
  std::chrono::seconds shutdown_timeout{10};
  // Connections beyond this are closed at once (with a best-effort 503 busy).
  int max_connections = 10000;
  // Deadline of each write to a client (a response, a file chunk, an SSE event): a client that
  // stops reading is dropped after it.
  std::chrono::seconds write_timeout{10};
  // Comma-separated CIDRs of reverse proxies whose X-Forwarded-For/Forwarded name the client.
  std::string trusted_proxies;
  // HTTPS: PEM certificate chain and key; or a self-signed certificate under <data_dir>/tls.
  std::string tls_cert;
  std::string tls_key;
  bool tls_self_signed = false;
  std::chrono::seconds tls_handshake_timeout{10};
  // host:port answering plain HTTP with a 308 to the public URL; empty = none.
  std::string redirect_listen;

  bool Tls() const { return tls_self_signed || !tls_cert.empty(); }
};

struct AuthSettings {
  std::chrono::hours session_ttl{24 * 30};
  int login_max_failures_per_user = 10;
  int login_max_failures_per_address = 50;
  std::chrono::seconds login_failure_window{15 * 60};
  int register_max_per_address = 20;  // registrations per client address per register_window
  std::chrono::seconds register_window{60 * 60};
  int hash_threads = 2;         // argon2id threads (each hash holds 64 MiB while it runs)
  int hash_queue_max = 64;      // hashes waiting for a thread before 503 busy
  std::string bootstrap_admin;  // "name:password"; empty = generate a password on first start
};

struct VoiceSettings {
  int max_members = 50;
  std::chrono::seconds heartbeat_interval{10};
  std::chrono::seconds presence_timeout{30};
  std::chrono::seconds sweep_interval{5};
  std::chrono::seconds rejoin_grace{15};
  std::chrono::seconds token_ttl{600};
  std::string token_secret;  // empty = generated once and kept in the data dir
  int join_rate_per_minute = 30;
  int settings_rate_per_minute = 60;
  int mute_toggle_rate = 5;                     // self mute toggles per user per window…
  std::chrono::seconds mute_toggle_window{10};  // …refilled evenly (state-backend token bucket)
  std::size_t sse_replay_events = 256;
  std::chrono::seconds sse_keepalive{15};
};

// TURN relays handed to clients with time-limited credentials (coturn's use-auth-secret).
struct TurnSettings {
  std::vector<std::string> urls;  // e.g. turn:host:3478?transport=udp; empty = no TURN
  std::string secret;             // coturn's static-auth-secret
  std::chrono::seconds ttl{24 * 3600};
};

struct RtcSettings {
  int udp_port = 40000;
  std::string bind = "0.0.0.0";
  // Addresses in the ICE candidates, first preferred; empty = chosen at start
  // (config/MediaAddresses: the bind address, else the default route's interface).
  std::vector<std::string> announce_ips;
  int audio_slots = 4;
  int workers = 0;  // 0 = one per core
  std::chrono::seconds consent_timeout{30};
  // ICE-TCP (RFC 6544 passive candidates) for networks that block UDP.
  int tcp_port = 0;                           // 0 = the same number as udp_port
  int tcp_max_connections = 1000;             // open at once; 0 turns ICE-TCP off
  std::chrono::seconds tcp_idle_timeout{30};  // close a connection whose ICE checks stop
  // /rtc signaling sockets (per connection).
  int message_rate = 20;   // client messages per second...
  int message_burst = 40;  // ...with this burst; beyond: error rate_limited, then closed
  int mute_rate = 5;       // mute toggles per second (burst the same)
  std::size_t max_queued_bytes = 1024 * 1024;  // server messages waiting for a slow reader
  std::chrono::seconds write_timeout{10};      // one message write; a reader that stalls is closed
};

struct Config {
  std::string data_dir = "data";
  std::string database_url;  // empty = sqlite:<data_dir>/chorus.db
  int db_pool_size = 4;
  std::string redis_url;  // empty = in-process state
  std::string log_dir = "logs";
  std::string log_level = "info";
  std::string public_url;  // empty = http://<listen>
  // Host names (besides loopback and the public URL's) that requests may name in Host and Origin.
  std::vector<std::string> allowed_hosts;
  std::string gui_dir = "core/gui/dist";
  std::string media_dir;  // empty = <data_dir>/media
  bool demo_stream = true;
  HttpSettings http;
  AuthSettings auth;
  VoiceSettings voice;
  RtcSettings rtc;
  TurnSettings turn;
  bool check_only = false;  // --check: validate, print what would be served, exit

  // True when the public URL is https, so cookies get the Secure attribute.
  bool SecureCookies() const { return public_url.rfind("https://", 0) == 0; }
};

// Parses flags, environment and .env into a Config. Returns std::nullopt-like by exit code:
// on --help or a bad flag it prints and sets `exit_code` (>= 0) so main can return it.
Config Load(int argc, char** argv, int& exit_code);

}  // namespace chorus::config
