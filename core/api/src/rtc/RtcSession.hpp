// One /rtc WebSocket connection (docs/api.md "/rtc WebSocket"): the join handshake (room token
// and seat checked first, then the SDP offer goes to the SFU), then client commands (mute, ping,
// leave) and SFU events pushed to the client. Every client message is hostile: it is parsed in
// full (ClientMessage), counted against a budget, and a mute is rate-limited and written only
// when it changes something. One coroutine reads; a writer coroutine keeps one write in flight,
// each with a deadline, over a queue capped in bytes (a client that cannot keep up is dropped).
// Thread affinity: runs on its HTTP connection's strand; SFU events are posted to it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "Sfu.hpp"
#include "config/Config.hpp"
#include "http/Stream.hpp"
#include "http/Types.hpp"
#include "rtc/ClientMessage.hpp"
#include "rtc/LiveMediaRegistry.hpp"
#include "rtc/RtcMessages.hpp"
#include "util/TokenBucket.hpp"
#include "voice/RoomState.hpp"
#include "voice/tokens.hpp"

namespace chorus::voice {
class VoiceService;
}

namespace chorus::rtc_api {

namespace asio = boost::asio;
namespace beast = boost::beast;

class RtcSession : public std::enable_shared_from_this<RtcSession> {
 public:
  static constexpr std::size_t kMaxMessageBytes = 128 * 1024;
  static constexpr auto kJoinTimeout = std::chrono::seconds(10);
  static constexpr auto kIdleTimeout = std::chrono::seconds(40);  // pings after half of it

  // `stream` is the HTTP connection's stream, which outlives Run() (the server closes it on
  // shutdown, which ends the session).
  RtcSession(http::Stream& stream, voice::VoiceService& voice, sfu::Sfu& sfu,
             LiveMediaRegistry& live, const config::RtcSettings& settings,
             const http::RequestContext& ctx);

  // Accepts the upgrade in `request` and serves the connection until it ends; the participant
  // (if any) leaves the SFU before this returns.
  asio::awaitable<void> Run(http::Request& request);

 private:
  asio::awaitable<void> ReadLoop();
  asio::awaitable<void> WriteLoop();
  // Handles the first message; returns false when the connection must close.
  asio::awaitable<bool> HandleJoin(const JoinCommand& join);
  asio::awaitable<void> HandleMute(const MuteCommand& mute);
  // Counts one client message against the budget; false when over it (the message is refused).
  // Sets closing_ when the client stays over budget (sustained abuse).
  bool WithinBudget();
  // Queues a text message (strand only); drops the client when the queue's bytes overflow.
  void Send(std::string text);
  // Sends what is queued, then closes (strand only).
  void CloseAfterFlush();
  void Close();
  // Sends an encoded SFU event and closes after it when it ends the session (strand only).
  void Deliver(EventMessage message);
  // Tracks this user's own mute state from the SFU's muted events (strand only).
  void ObserveEvent(const sfu::SfuEvent& event);
  // An SFU event on the strand: a member event waits for that member's stage fields (a roster
  // read), and every later event waits behind it, so the client sees them in the SFU's order.
  void OnSfuEvent(std::shared_ptr<const sfu::SfuEvent> event);
  // Sends the waiting events in order, starting a roster read at the first member event.
  void DrainWaiting();
  // Encodes and sends (or holds, before the join reply) one SFU event (strand only).
  void Emit(const sfu::SfuEvent& event);
  // Stage fields of a roster entry: {role, speaker, hand_raised_at}.
  static boost::json::object StageFieldsOf(const voice::Member& member);
  // Counts the live media connection as a presence heartbeat (see RefreshPresence).
  void RefreshPresence();

  beast::websocket::stream<http::Stream&> ws_;
  voice::VoiceService& voice_;
  sfu::Sfu& sfu_;
  LiveMediaRegistry& live_;
  const config::RtcSettings& settings_;
  std::string client_addr_;
  bool hsts_ = false;  // the upgrade response carries Strict-Transport-Security
  asio::steady_timer wake_writer_;
  asio::steady_timer writer_done_;
  asio::steady_timer join_deadline_;
  asio::steady_timer write_deadline_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  std::vector<EventMessage> held_events_;  // events that arrived before the join reply
  StageFields stage_;                      // members' stage fields, from the roster
  std::deque<std::shared_ptr<const sfu::SfuEvent>> waiting_;  // behind a roster read
  bool reading_roster_ = false;
  util::TokenBucket message_budget_;
  util::DecayingCounter over_budget_;
  util::TokenBucket mute_budget_;
  bool closing_ = false;  // no more reads; the writer closes once the queue is empty
  bool closed_ = false;
  bool writer_running_ = false;
  static constexpr auto kPresenceRefresh = std::chrono::seconds(5);
  std::chrono::steady_clock::time_point last_presence_refresh_{};
  bool joined_ = false;
  bool replaced_ = false;
  bool removed_ = false;  // the SFU removed the participant (kick, close, timeout, replaced)
  std::optional<std::string> claimed_jti_;
  voice::RoomClaims claims_;
  std::string participant_id_;
  bool self_muted_ = false;
  bool host_muted_ = false;
};

}  // namespace chorus::rtc_api
