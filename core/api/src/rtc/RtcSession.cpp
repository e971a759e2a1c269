#include "rtc/RtcSession.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
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

// The /rtc error message for a failed voice call: an ApiError's own code, message and
// retry_after_ms; anything else is "internal" with a fixed text (exception text never reaches a
// client).
std::string ErrorReply(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const http::ApiError& e) {
    return ErrorMessage(e.Code(), e.what(), e.RetryAfterMs());
  } catch (const std::exception& e) {
    ops::Warn("ws", "rtc call failed", {{"error", e.what()}});
  } catch (...) {
  }
  return ErrorMessage("internal", "internal error");
}

// The code and message of a failed voice call, as ErrorReply.
std::pair<std::string, std::string> ErrorOf(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const http::ApiError& e) {
    return {e.Code(), e.what()};
  } catch (const std::exception& e) {
    ops::Warn("ws", "rtc call failed", {{"error", e.what()}});
  } catch (...) {
  }
  return {"internal", "internal error"};
}

}  // namespace

RtcSession::RtcSession(http::Stream& stream, voice::VoiceService& voice, sfu::Sfu& sfu,
                       LiveMediaRegistry& live, const config::RtcSettings& settings,
                       const http::RequestContext& ctx)
    : ws_(stream),
      voice_(voice),
      sfu_(sfu),
      live_(live),
      settings_(settings),
      client_addr_(ctx.client_addr),
      hsts_(ctx.hsts),
      wake_writer_(stream.get_executor()),
      writer_done_(stream.get_executor()),
      join_deadline_(stream.get_executor()),
      write_deadline_(stream.get_executor()),
      message_budget_(settings.message_rate, settings.message_burst),
      // Refusals are forgiven at a quarter of the budget's rate: a client a little over budget
      // only gets rate_limited errors, one steadily at twice the rate is closed within seconds.
      over_budget_(std::max(1.0, settings.message_rate / 4.0)),
      mute_budget_(settings.mute_rate, settings.mute_rate) {}

asio::awaitable<void> RtcSession::Run(http::Request& request) {
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(10);
  timeouts.idle_timeout = kIdleTimeout;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.read_message_max(kMaxMessageBytes);
  ws_.set_option(websocket::stream_base::decorator([hsts = hsts_](websocket::response_type& res) {
    res.set(beast::http::field::server, "chorusd");
    if (hsts) res.set(beast::http::field::strict_transport_security, "max-age=31536000");
  }));
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
    if (!removed_) sfu_.Leave(claims_.room, claims_.user_id, participant_id_);
    // A replaced connection's user is still connected through its successor.
    if (!replaced_) voice_.OnMediaDisconnected(claims_.stream_id, claims_.user_id);
    ops::Info(
        "ws", "rtc closed",
        {{"room", claims_.room}, {"user", claims_.user_id}, {"participant", participant_id_}});
  }
  if (claimed_jti_) live_.Release(*claimed_jti_);
  CloseAfterFlush();
  while (writer_running_) {
    auto [ec] = co_await writer_done_.async_wait(kUseTuple);
    (void)ec;
  }
}

bool RtcSession::WithinBudget() {
  const auto now = util::BudgetClock::now();
  if (message_budget_.TryTake(now)) return true;
  // Over budget: refused. A client that stays over it by another burst's worth is closed.
  if (over_budget_.Add(now) >= settings_.message_burst) {
    ops::Warn("ws", "rtc client over its message budget, closing it",
              {{"client", client_addr_}, {"user", claims_.user_id}});
    Send(ErrorMessage("rate_limited", "too many messages; closing"));
    CloseAfterFlush();
  } else {
    Send(ErrorMessage("rate_limited", "too many messages; slow down"));
  }
  return false;
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
    if (closing_) break;
    if (!WithinBudget()) continue;
    const auto message = ParseClientMessage(beast::buffers_to_string(buffer.data()));
    if (const auto* error = std::get_if<MessageError>(&message)) {
      Send(ErrorMessage(error->code, error->message));
      if (!joined_) break;
      continue;
    }
    if (!joined_) {
      const auto* join = std::get_if<JoinCommand>(&message);
      if (!join) {
        Send(ErrorMessage("join_required", "the first message must be {\"type\":\"join\"}"));
        break;
      }
      if (!co_await HandleJoin(*join)) break;
      continue;
    }
    if (const auto* ping = std::get_if<PingCommand>(&message)) {
      json::object pong{{"type", "pong"}, {"server_ms", NowMs()}};
      if (ping->t) pong["t"] = *ping->t;
      Send(json::serialize(pong));
    } else if (const auto* mute = std::get_if<MuteCommand>(&message)) {
      co_await HandleMute(*mute);
    } else if (std::holds_alternative<LeaveCommand>(message)) {
      closing_ = true;  // the read loop ends; Run() removes the participant and closes politely
    } else if (std::holds_alternative<JoinCommand>(message)) {
      Send(ErrorMessage("invalid_message", "already joined"));
    } else {
      Send(ErrorMessage("unknown_type", "unknown message type"));
    }
  }
}

asio::awaitable<bool> RtcSession::HandleJoin(const JoinCommand& join) {
  // The token is checked before anything else (signature, room, expiry, revocation), then that
  // the user is seated in the room, the stream's voice is on and the user is not kicked.
  auto ex = co_await asio::this_coro::executor;
  auto [error, admission] = co_await asio::co_spawn(ex, voice_.AdmitRtcJoin(join.token), kUseTuple);
  if (error) {
    const auto [code, text] = ErrorOf(error);
    ops::Warn("ws", "rtc join refused", {{"client", client_addr_}, {"code", code}});
    Send(ErrorMessage(code, text));
    co_return false;
  }
  const auto& claims = admission.claims;
  // One live media connection per token.
  if (!live_.Claim(claims.jti, {claims.room, claims.user_id, claims.session_id, {}})) {
    Send(ErrorMessage("token_in_use", "this room token already has a media connection"));
    co_return false;
  }
  claimed_jti_ = claims.jti;
  claims_ = claims;
  for (const auto& m : admission.roster) stage_[m.user_id] = StageFieldsOf(m);

  sfu::JoinRequest request{claims.room, claims.user_id, claims.username, join.offer,
                           claims.can_publish};
  auto wait = std::make_shared<JoinWait>(ex);
  std::weak_ptr<RtcSession> weak = weak_from_this();
  auto sink = [weak, ex](const sfu::SfuEvent& event) {
    auto shared = std::make_shared<sfu::SfuEvent>(event);
    asio::post(ex, [weak, shared] {
      if (auto self = weak.lock()) self->OnSfuEvent(shared);
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
  participant_id_ = wait->result->participant_id;
  live_.SetParticipant(claims.jti, participant_id_);
  // A leave, kick or logout may have raced the SFU join: admitted a moment ago is not enough.
  const bool still = co_await voice_.StillAdmitted(claims);
  if (!still || removed_) {
    if (!removed_) sfu_.Leave(claims.room, claims.user_id, participant_id_);
    Send(ErrorMessage("not_joined", "not a member of this voice channel; join again"));
    co_return false;
  }
  joined_ = true;
  join_deadline_.cancel();
  Send(JoinedMessage(*wait->result, claims.user_id, &stage_));
  for (auto& held : held_events_) Deliver(std::move(held));
  held_events_.clear();
  // The SFU agrees with the roster: a host mute (or a self-mute) survives a reconnect.
  const auto& member = admission.member;
  if (member.muted_by_host) {
    sfu_.SetMuted(claims.room, claims.user_id, true, /*by_host=*/true);
    host_muted_ = true;
  } else if (member.muted) {
    sfu_.SetMuted(claims.room, claims.user_id, true, /*by_host=*/false);
  }
  self_muted_ = member.muted;
  last_presence_refresh_ = std::chrono::steady_clock::now();
  ops::Info("ws", "rtc joined",
            {{"room", claims.room},
             {"user", claims.user_id},
             {"participant", participant_id_},
             {"client", client_addr_}});
  co_return true;
}

asio::awaitable<void> RtcSession::HandleMute(const MuteCommand& mute) {
  if (!mute_budget_.TryTake(util::BudgetClock::now())) {
    Send(ErrorMessage("rate_limited", "too many mute toggles; slow down"));
    co_return;
  }
  if (!mute.muted && host_muted_) {
    Send(ErrorMessage("muted_by_host", "a moderator muted you; only they can unmute you"));
    co_return;
  }
  if (mute.muted == self_muted_) co_return;  // no change: nothing written, nothing published
  auto ex = co_await asio::this_coro::executor;
  auto [error, kind] = co_await asio::co_spawn(
      ex, voice_.SelfMute(claims_.stream_id, claims_.user_id, mute.muted), kUseTuple);
  if (error) {
    // Not fatal: rate_limited, not_a_speaker, speaker_limit, slow_mode (with retry_after_ms).
    Send(ErrorReply(error));
    co_return;
  }
  if (kind == voice::MuteKind::kMutedByHost) {
    // The roster says a moderator muted this user: the SFU must say so too.
    host_muted_ = true;
    sfu_.SetMuted(claims_.room, claims_.user_id, true, /*by_host=*/true);
    Send(ErrorMessage("muted_by_host", "a moderator muted you; only they can unmute you"));
    co_return;
  }
  self_muted_ = mute.muted;
  sfu_.SetMuted(claims_.room, claims_.user_id, mute.muted, /*by_host=*/false);
}

void RtcSession::ObserveEvent(const sfu::SfuEvent& event) {
  if (const auto* removed = std::get_if<sfu::RemovedEvent>(&event)) {
    removed_ = true;
    if (removed->reason == sfu::RemovalReason::kReplaced) replaced_ = true;
  } else if (const auto* muted = std::get_if<sfu::MutedEvent>(&event)) {
    if (muted->user_id != claims_.user_id) return;
    self_muted_ = muted->muted;
    host_muted_ = muted->muted && muted->by == sfu::MutedBy::kHost;
  } else if (std::holds_alternative<sfu::StatsEvent>(event)) {
    RefreshPresence();
  }
}

boost::json::object RtcSession::StageFieldsOf(const voice::Member& member) {
  auto full = member.ToJson();
  return {{"role", full["role"]},
          {"speaker", full["speaker"]},
          {"hand_raised_at", full["hand_raised_at"]}};
}

namespace {
// A member event whose member is (still) in the room: its stage fields are read first.
bool NeedsStageFields(const sfu::SfuEvent& event) {
  const auto* member = std::get_if<sfu::MemberEvent>(&event);
  return member && member->kind != sfu::MemberEvent::Kind::kLeft;
}
}  // namespace

void RtcSession::OnSfuEvent(std::shared_ptr<const sfu::SfuEvent> event) {
  ObserveEvent(*event);
  if (!reading_roster_ && waiting_.empty() && !NeedsStageFields(*event)) {
    Emit(*event);
    return;
  }
  waiting_.push_back(std::move(event));
  if (!reading_roster_) DrainWaiting();
}

void RtcSession::DrainWaiting() {
  while (!waiting_.empty() && !NeedsStageFields(*waiting_.front())) {
    Emit(*waiting_.front());
    waiting_.pop_front();
  }
  if (waiting_.empty()) {
    reading_roster_ = false;
    return;
  }
  reading_roster_ = true;
  const auto user_id = std::get<sfu::MemberEvent>(*waiting_.front()).member.user_id;
  std::weak_ptr<RtcSession> weak = weak_from_this();
  asio::co_spawn(ws_.get_executor(), voice_.RosterMember(claims_.stream_id, user_id),
                 [weak, user_id](std::exception_ptr, std::optional<voice::Member> member) {
                   auto self = weak.lock();
                   if (!self || self->waiting_.empty()) return;
                   if (member) self->stage_[user_id] = StageFieldsOf(*member);
                   self->Emit(*self->waiting_.front());
                   self->waiting_.pop_front();
                   self->DrainWaiting();
                 });
}

void RtcSession::Emit(const sfu::SfuEvent& event) {
  auto encoded = EncodeEvent(event, &stage_);
  if (!joined_ && !closing_) {
    // Events the SFU emitted while adding us come before the join reply: hold them.
    held_events_.push_back(std::move(encoded));
    return;
  }
  Deliver(std::move(encoded));
}

void RtcSession::Deliver(EventMessage message) {
  if (!message.text.empty()) Send(std::move(message.text));
  if (message.close) CloseAfterFlush();
}

void RtcSession::Send(std::string text) {
  if (closed_) return;
  // One message always fits an empty queue (the joined reply's SDP may exceed a small cap): a
  // client is dropped when messages pile up behind one it has not read.
  if (!queue_.empty() && queued_bytes_ + text.size() > settings_.max_queued_bytes) {
    ops::Warn("ws", "rtc client too slow, dropping it",
              {{"client", client_addr_}, {"queued_bytes", queued_bytes_}});
    queue_.clear();
    queued_bytes_ = 0;
    Close();
    return;
  }
  queued_bytes_ += text.size();
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
  write_deadline_.cancel();
}

asio::awaitable<void> RtcSession::WriteLoop() {
  while (!closed_) {
    if (queue_.empty()) {
      if (closing_) {
        // Polite close, bounded by the write deadline; then the socket goes.
        write_deadline_.expires_after(settings_.write_timeout);
        write_deadline_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
          if (auto self = weak.lock(); self && !ec) self->Close();
        });
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
    queued_bytes_ -= text.size();
    ws_.text(true);
    // A reader that stops reading stalls this write: past the deadline it is closed.
    write_deadline_.expires_after(settings_.write_timeout);
    write_deadline_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (!self || ec) return;
      ops::Warn("ws", "rtc write timed out, dropping the client", {{"client", self->client_addr_}});
      self->Close();
    });
    auto [ec, n] = co_await ws_.async_write(asio::buffer(text), kUseTuple);
    write_deadline_.cancel();
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
  voice_.OnMediaConnected(claims_.stream_id, claims_.user_id);
}

}  // namespace chorus::rtc_api
