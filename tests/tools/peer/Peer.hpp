// One Chorus participant end to end, joining exactly as the web client does: HTTP register or
// login -> POST join -> /rtc WebSocket {"type":"join", token, offer} -> "joined" answer -> ICE ->
// DTLS -> SRTP media for a fixed duration; answers and records the /rtc events, pings, and
// builds a JSON report of what it sent, heard and saw.
// Thread affinity: Run() drives its own io_context on the calling thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ApiClient.hpp"
#include "AudioSource.hpp"
#include "PeerMedia.hpp"
#include "RtcSocket.hpp"

namespace chorus::peer {

struct PeerOptions {
  std::string url = "http://127.0.0.1:8080";
  std::string user;
  std::string password;
  std::int64_t stream_id = 1;
  std::unique_ptr<AudioSource> source;                  // nullptr: listen-only
  std::chrono::milliseconds duration{5'000};            // media time after connecting
  std::optional<std::chrono::milliseconds> mute_after;  // self-mute after connecting
  std::size_t receive_slots = 4;
  std::string record_prefix;
  std::string srtp_profiles;
  bool bench = false;                                 // PeerMediaOptions::bench
  std::chrono::milliseconds connect_timeout{15'000};  // /rtc join + ICE + DTLS
  std::chrono::milliseconds ping_interval{1'000};
  // When set, the report so far is written here (atomically, by rename) on connecting and then
  // every status_interval, so test scripts can poll a running peer for conditions.
  std::string status_file;
  std::chrono::milliseconds status_interval{500};
};

// Writes `report` to `path` atomically (a temporary file renamed over it). False on failure.
bool WriteJsonFile(const std::string& path, const boost::json::object& report);

class Peer {
 public:
  // Exit codes of Run() (and of chorus-peer).
  static constexpr int kOk = 0;
  static constexpr int kJoinFailed = 2;     // HTTP, /rtc handshake or "join" refused
  static constexpr int kMediaFailed = 3;    // ICE/DTLS/SRTP did not come up
  static constexpr int kSignalingLost = 4;  // /rtc closed or errored during the call

  explicit Peer(PeerOptions options);
  ~Peer();

  // Runs the whole session; returns one of the exit codes above. Error() says why.
  int Run();
  const std::string& Error() const { return error_; }
  // The report (valid after Run()).
  boost::json::object Report() const;

 private:
  void OnMessage(const boost::json::object& message);
  void OnJoined(const boost::json::object& message);
  void OnMediaState(PeerMedia::State state, const std::string& reason);
  void StartCallTimers();
  void SchedulePing();
  void ScheduleStatus();
  void Finish(int code, const std::string& error);

  PeerOptions options_;
  boost::asio::io_context io_;
  std::unique_ptr<PeerMedia> media_;
  std::unique_ptr<RtcSocket> rtc_;
  boost::asio::steady_timer deadline_;
  boost::asio::steady_timer call_timer_;
  boost::asio::steady_timer mute_timer_;
  boost::asio::steady_timer ping_timer_;
  boost::asio::steady_timer status_timer_;
  std::optional<JoinInfo> join_;
  int code_ = kOk;
  bool finished_ = false;
  std::string error_;

  // What was seen, for the report.
  std::int64_t started_ms_ = 0;
  std::int64_t connected_ms_ = 0;
  std::int64_t ended_ms_ = 0;
  std::int64_t muted_at_ms_ = 0;
  std::string participant_id_;
  std::int64_t user_id_ = 0;
  boost::json::object event_counts_;
  boost::json::array muted_events_;
  boost::json::array slot_events_;
  boost::json::array member_events_;
  boost::json::array error_events_;
  boost::json::value members_;
  boost::json::value joined_slots_;
  boost::json::value last_stats_;
  boost::json::value last_speakers_;
  std::size_t max_speakers_ = 0;
  std::string source_description_;
  std::string kicked_reason_;
  std::size_t pongs_ = 0;
  double last_ping_rtt_ms_ = -1;
};

}  // namespace chorus::peer
