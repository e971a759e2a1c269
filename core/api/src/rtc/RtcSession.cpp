#include "rtc/RtcSession.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>

#include "http/ApiError.hpp"
#include "ops/Log.hpp"
#include "rtc/RtcMessages.hpp"
#include "voice/VoiceService.hpp"

namespace chorus::rtc_api {
namespace {

namespace json = boost::json;
namespace websocket = beast::websocket;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

const json::string* StringField(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What the SFU's join callback delivers to the waiting session.
struct JoinWait {
  explicit JoinWait(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;
  std::optional<sfu::JoinResult> result;
};

}  // namespace

RtcSession::RtcSession(beast::tcp_stream& stream, voice::VoiceService& voice, sfu::Sfu& sfu,
                       const http::RequestContext& ctx)
    : ws_(stream),
      voice_(voice),
      sfu_(sfu),
      client_addr_(ctx.client_addr),
      wake_writer_(stream.get_executor()),
      writer_done_(stream.get_executor()),
      join_deadline_(stream.get_executor()) {}

asio::awaitable<void> RtcSession::Run(http::Request& request) {
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(10);
  timeouts.idle_timeout = kIdleTimeout;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.read_message_max(kMaxMessageBytes);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "chorusd"); }));
  auto [accept_ec] = co_await ws_.async_accept(request, kUseTuple);
  if (accept_ec) co_return;

  // The first message must arrive within kJoinTimeout.
  join_deadline_.expires_after(kJoinTimeout);
  join_deadline_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->joined_) return;
    self->Send(ErrorMessage("join_timeout", "no join message within 10 s"));
    self->CloseAfterFlush();
  });

  // The writer runs beside the reader; Run waits for it so the stream is idle when we return.
  writer_running_ = true;
  writer_done_.expires_at(asio::steady_timer::time_point::max());
  auto self = shared_from_this();
  asio::co_spawn(ws_.get_executor(), WriteLoop(), [self](std::exception_ptr error) {
    if (error) ops::Error("ws", "rtc writer failed", {{"client", self->client_addr_}});
    self->writer_running_ = false;
    self->writer_done_.cancel();
  });

  co_await ReadLoop();

  join_deadline_.cancel();
  if (joined_) {
    sfu_.Leave(room_, user_id_, participant_id_);
    // A replaced connection's user is still connected through its successor.
    if (!replaced_) voice_.OnMediaDisconnected(stream_id_, user_id_);
    ops::Info("ws", "rtc closed",
              {{"room", room_}, {"user", user_id_}, {"participant", participant_id_}});
  }
  CloseAfterFlush();
  while (writer_running_) {
    auto [ec] = co_await writer_done_.async_wait(kUseTuple);
    (void)ec;
  }
}

asio::awaitable<void> RtcSession::ReadLoop() {
  beast::flat_buffer buffer;
  while (!closing_) {
    buffer.clear();
    auto [ec, n] = co_await ws_.async_read(buffer, kUseTuple);
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        Send(ErrorMessage("message_too_big", "messages are limited to 128 KiB"));
      }
      break;  // closed, timed out, cancelled: end quietly
    }
    boost::system::error_code parse_ec;
    const auto value = json::parse(beast::buffers_to_string(buffer.data()), parse_ec);
    const auto* message = parse_ec ? nullptr : value.if_object();
    const auto* type = message ? StringField(*message, "type") : nullptr;
    if (!type) {
      Send(ErrorMessage("invalid_message", "messages are JSON objects with a \"type\""));
      if (!joined_) break;
      continue;
    }
    if (!joined_) {
      if (*type != "join") {
        Send(ErrorMessage("join_required", "the first message must be {\"type\":\"join\"}"));
        break;
      }
      const bool ok = co_await HandleJoin(*message);
      if (!ok) break;
      continue;
    }
    HandleCommand(*message);
  }
}

asio::awaitable<bool> RtcSession::HandleJoin(const json::object& message) {
  const auto* token = StringField(message, "token");
  const auto* offer = StringField(message, "offer");
  if (!token || !offer) {
    Send(ErrorMessage("invalid_argument", "join needs \"token\" and \"offer\" strings"));
    co_return false;
  }
  // The token is checked before anything else (signature, room, expiry, revocation).
  auto ex = co_await asio::this_coro::executor;
  auto verify = voice_.VerifyRoomToken(std::string(*token));
  auto [error, claims] = co_await asio::co_spawn(ex, std::move(verify), kUseTuple);
  if (error) {
    std::string code = "invalid_token", text = "invalid room token";
    try {
      std::rethrow_exception(error);
    } catch (const http::ApiError& e) {
      code = e.Code();
      text = e.what();
    } catch (const std::exception& e) {
      code = "internal";
      text = e.what();
    }
    ops::Warn("ws", "rtc join refused", {{"client", client_addr_}, {"code", code}});
    Send(ErrorMessage(code, text));
    co_return false;
  }

  sfu::JoinRequest request{claims.room, claims.user_id, claims.username, std::string(*offer),
                           claims.can_publish};
  auto wait = std::make_shared<JoinWait>(ex);
  std::weak_ptr<RtcSession> weak = weak_from_this();
  auto sink = [weak, ex](const sfu::SfuEvent& event) {
    auto encoded = std::make_shared<EventMessage>(EncodeEvent(event));
    const auto* removed = std::get_if<sfu::RemovedEvent>(&event);
    const bool replaced = removed && removed->reason == sfu::RemovalReason::kReplaced;
    const bool media_alive = std::holds_alternative<sfu::StatsEvent>(event);
    asio::post(ex, [weak, encoded, replaced, media_alive] {
      auto self = weak.lock();
      if (!self) return;
      if (replaced) self->replaced_ = true;
      if (media_alive) self->RefreshPresence();
      if (!self->joined_ && !self->closing_) {
        // Events the SFU emitted while adding us come before the join reply: hold them.
        self->held_events_.push_back(std::move(*encoded));
        return;
      }
      self->Deliver(std::move(*encoded));
    });
  };
  auto done = [wait](sfu::JoinResult result) {
    auto shared = std::make_shared<sfu::JoinResult>(std::move(result));
    asio::post(wait->timer.get_executor(), [wait, shared] {
      wait->result = std::move(*shared);
      wait->timer.cancel();
    });
  };
  wait->timer.expires_after(std::chrono::seconds(10));
  sfu_.Join(std::move(request), std::move(sink), std::move(done));
  auto [timer_ec] = co_await wait->timer.async_wait(kUseTuple);
  (void)timer_ec;
  if (!wait->result) {
    Send(ErrorMessage("unavailable", "the media server did not answer"));
    co_return false;
  }
  if (!wait->result->ok) {
    Send(ErrorMessage(wait->result->error_code, wait->result->error_message));
    co_return false;
  }
  joined_ = true;
  room_ = claims.room;
  user_id_ = claims.user_id;
  stream_id_ = claims.stream_id;
  participant_id_ = wait->result->participant_id;
  join_deadline_.cancel();
  Send(JoinedMessage(*wait->result, user_id_));
  for (auto& held : held_events_) Deliver(std::move(held));
  held_events_.clear();
  voice_.OnMediaConnected(stream_id_, user_id_);
  last_presence_refresh_ = std::chrono::steady_clock::now();
  ops::Info("ws", "rtc joined",
            {{"room", room_},
             {"user", user_id_},
             {"participant", participant_id_},
             {"client", client_addr_}});
  co_return true;
}

void RtcSession::HandleCommand(const json::object& message) {
  const auto& type = *StringField(message, "type");
  if (type == "ping") {
    json::object pong{{"type", "pong"}, {"server_ms", NowMs()}};
    if (const auto* t = message.if_contains("t")) pong["t"] = *t;
    Send(json::serialize(pong));
  } else if (type == "mute") {
    const auto* muted = message.if_contains("muted");
    if (!muted || !muted->is_bool()) {
      Send(ErrorMessage("invalid_argument", "mute needs \"muted\": true|false"));
      return;
    }
    sfu_.SetMuted(room_, user_id_, muted->get_bool(), false);
    voice_.OnMediaMuted(stream_id_, user_id_, muted->get_bool(), false);
  } else if (type == "leave") {
    closing_ = true;  // the read loop ends; Run() removes the participant and closes politely
  } else {
    Send(ErrorMessage("unknown_type", "unknown message type"));
  }
}

void RtcSession::Deliver(EventMessage message) {
  if (!message.text.empty()) Send(std::move(message.text));
  if (message.close) CloseAfterFlush();
}

void RtcSession::Send(std::string text) {
  if (closed_) return;
  if (queue_.size() >= kMaxQueuedMessages) {
    ops::Warn("ws", "rtc client too slow, dropping it", {{"client", client_addr_}});
    queue_.clear();
    Close();
    return;
  }
  queue_.push_back(std::move(text));
  wake_writer_.cancel();
}

void RtcSession::CloseAfterFlush() {
  closing_ = true;
  wake_writer_.cancel();
}

void RtcSession::Close() {
  if (closed_) return;
  closed_ = true;
  closing_ = true;
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(ws_).socket().close(ec);
  wake_writer_.cancel();
}

asio::awaitable<void> RtcSession::WriteLoop() {
  while (!closed_) {
    if (queue_.empty()) {
      if (closing_) {
        // Polite close, bounded by the stream's own timeouts; then the socket goes.
        auto [ec] = co_await ws_.async_close(websocket::close_code::normal, kUseTuple);
        (void)ec;
        Close();
        break;
      }
      wake_writer_.expires_at(asio::steady_timer::time_point::max());
      auto [ec] = co_await wake_writer_.async_wait(kUseTuple);
      (void)ec;
      continue;
    }
    std::string text = std::move(queue_.front());
    queue_.pop_front();
    ws_.text(true);
    auto [ec, n] = co_await ws_.async_write(asio::buffer(text), kUseTuple);
    if (ec) {
      Close();
      break;
    }
  }
}

// A live media connection (the SFU reports its stats every 2 s only while the participant is
// there, and removes it when ICE consent stops) counts as presence, so a client whose REST
// heartbeats lapse does not lose a working call. Refreshes at most every kPresenceRefresh.
void RtcSession::RefreshPresence() {
  const auto now = std::chrono::steady_clock::now();
  if (!joined_ || now - last_presence_refresh_ < kPresenceRefresh) return;
  last_presence_refresh_ = now;
  voice_.OnMediaConnected(stream_id_, user_id_);
}

}  // namespace chorus::rtc_api
