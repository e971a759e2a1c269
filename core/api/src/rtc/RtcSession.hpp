// One /rtc WebSocket connection (docs/api.md "/rtc WebSocket"): the join handshake (room token
// checked first, then the SDP offer goes to the SFU), then client commands (mute, ping, leave) and
// SFU events pushed to the client. One coroutine reads; a writer coroutine keeps one write in
// flight over a capped queue (a client that cannot keep up is dropped).
// Thread affinity: runs on its HTTP connection's strand; SFU events are posted to it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "Sfu.hpp"
#include "http/Types.hpp"
#include "rtc/RtcMessages.hpp"

namespace chorus::voice {
class VoiceService;
}

namespace chorus::rtc_api {

namespace asio = boost::asio;
namespace beast = boost::beast;

class RtcSession : public std::enable_shared_from_this<RtcSession> {
 public:
  static constexpr std::size_t kMaxMessageBytes = 128 * 1024;
  static constexpr std::size_t kMaxQueuedMessages = 512;
  static constexpr auto kJoinTimeout = std::chrono::seconds(10);
  static constexpr auto kIdleTimeout = std::chrono::seconds(40);  // pings after half of it

  // `stream` is the HTTP connection's stream, which outlives Run() (the server closes it on
  // shutdown, which ends the session).
  RtcSession(beast::tcp_stream& stream, voice::VoiceService& voice, sfu::Sfu& sfu,
             const http::RequestContext& ctx);

  // Accepts the upgrade in `request` and serves the connection until it ends; the participant
  // (if any) leaves the SFU before this returns.
  asio::awaitable<void> Run(http::Request& request);

 private:
  asio::awaitable<void> ReadLoop();
  asio::awaitable<void> WriteLoop();
  // Handles the first message; returns false when the connection must close.
  asio::awaitable<bool> HandleJoin(const boost::json::object& message);
  void HandleCommand(const boost::json::object& message);
  // Queues a text message (strand only); drops the client if the queue overflows.
  void Send(std::string text);
  // Sends what is queued, then closes (strand only).
  void CloseAfterFlush();
  void Close();
  // Sends an encoded SFU event and closes after it when it ends the session (strand only).
  void Deliver(EventMessage message);

  beast::websocket::stream<beast::tcp_stream&> ws_;
  voice::VoiceService& voice_;
  sfu::Sfu& sfu_;
  std::string client_addr_;
  asio::steady_timer wake_writer_;
  asio::steady_timer writer_done_;
  asio::steady_timer join_deadline_;
  std::deque<std::string> queue_;
  std::vector<EventMessage> held_events_;  // events that arrived before the join reply
  bool closing_ = false;  // no more reads; the writer closes once the queue is empty
  bool closed_ = false;
  bool writer_running_ = false;
  // Counts the live media connection as a presence heartbeat (see RefreshPresence).
  void RefreshPresence();
  static constexpr auto kPresenceRefresh = std::chrono::seconds(5);
  std::chrono::steady_clock::time_point last_presence_refresh_{};
  bool joined_ = false;
  bool replaced_ = false;
  std::string room_;
  std::int64_t user_id_ = 0;
  std::int64_t stream_id_ = 0;
  std::string participant_id_;
};

}  // namespace chorus::rtc_api
