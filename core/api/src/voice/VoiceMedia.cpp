// VoiceService: what the media connections (/rtc) ask of voice membership — admission of a join,
// self-mutes, presence from a live connection — and ending a member's media.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>

#include "ops/Log.hpp"
#include "store/StreamRepository.hpp"
#include "store/VoiceRepository.hpp"
#include "voice/RoomRoles.hpp"
#include "voice/VoiceService.hpp"

namespace chorus::voice {

using boost::asio::awaitable;

awaitable<RoomClaims> VoiceService::VerifyRoomToken(std::string token) {
  auto work = [this, token]() -> RoomClaims {
    auto result = tokens_->Verify(token, "", clock_() / 1000);
    if (!result.ok) {
      throw http::ApiError(http::Status::unauthorized, "invalid_token", result.error);
    }
    if (registry_.IsRevoked(result.claims.jti)) {
      throw http::ApiError(http::Status::unauthorized, "invalid_token", "revoked");
    }
    return result.claims;
  };
  co_return co_await Blocking(std::move(work));
}

awaitable<RtcAdmission> VoiceService::AdmitRtcJoin(std::string token) {
  auto claims = co_await VerifyRoomToken(std::move(token));
  auto work = [this, claims]() -> RtcAdmission {
    // The database decides what outlives the state backend: the stream, its voice switch, kicks.
    services_.db.With([&](store::Connection& c) {
      auto stream = store::StreamRepository(c).Find(claims.stream_id);
      if (!stream || !stream->voice_enabled) {
        throw http::ApiError(http::Status::forbidden, "voice_disabled",
                             "voice chat is disabled for this stream");
      }
      if (store::VoiceRepository(c).IsKicked(claims.stream_id, claims.user_id)) {
        throw http::ApiError(http::Status::forbidden, "kicked",
                             "you were removed from this voice channel");
      }
    });
    auto member = rooms_.FindMember(claims.stream_id, claims.user_id);
    if (!member || !rooms_.Heartbeat(claims.stream_id, claims.user_id)) {
      throw http::ApiError(http::Status::conflict, "not_joined",
                           "not a member of this voice channel; join again");
    }
    return RtcAdmission{claims, *member, rooms_.Roster(claims.stream_id)};
  };
  co_return co_await Blocking(std::move(work));
}

awaitable<std::optional<Member>> VoiceService::RosterMember(std::int64_t stream_id,
                                                            std::int64_t user_id) {
  auto work = [this, stream_id, user_id]() -> std::optional<Member> {
    try {
      return rooms_.FindMember(stream_id, user_id);
    } catch (const std::exception&) {
      return std::nullopt;  // the member event goes out without fresh stage fields
    }
  };
  co_return co_await services_.blocking.Run(std::move(work));
}

awaitable<bool> VoiceService::StillAdmitted(RoomClaims claims) {
  auto work = [this, claims]() -> bool {
    try {
      return !registry_.IsRevoked(claims.jti) &&
             rooms_.FindMember(claims.stream_id, claims.user_id).has_value();
    } catch (const std::exception&) {
      ops::Warn("voice", "admission recheck failed", {{"stream_id", claims.stream_id}});
      return false;
    }
  };
  co_return co_await services_.blocking.Run(std::move(work));
}

awaitable<MuteKind> VoiceService::SelfMute(std::int64_t stream_id, std::int64_t user_id,
                                           bool muted) {
  auto work = [this, stream_id, user_id, muted]() -> MuteKind {
    // Every toggle spends a token of the user's bucket, shared by all nodes.
    if (auto wait = toggles_.Take(user_id)) {
      throw http::RetryLater("rate_limited", "too many mute toggles; slow down", *wait);
    }
    bool privileged = false;
    if (!muted) {
      // Hosts and moderators are never held back by the speaker limit or slow mode.
      privileged = services_.db.With([&](store::Connection& c) {
        auto stream = store::StreamRepository(c).Find(stream_id);
        return stream && HasPowers(RoomRole(c, *stream, user_id));
      });
      EnsureConfig(stream_id);
    }
    const auto outcome = rooms_.SetMuted(stream_id, user_id, muted, /*by_host=*/false, privileged);
    switch (outcome.kind) {
      case MuteKind::kChanged:
        Publish(stream_id, outcome.version, "member_updated",
                {{"member", outcome.member.ToJson()}});
        break;
      case MuteKind::kNotASpeaker:
        throw http::Conflict("not_a_speaker", "you are a listener; raise your hand to speak");
      case MuteKind::kSpeakerLimit:
        throw http::Conflict("speaker_limit", "the room has as many unmuted members as it allows");
      case MuteKind::kSlowMode:
        throw http::RetryLater("slow_mode", "slow mode: wait before unmuting again",
                               outcome.retry_after_ms);
      default:
        break;
    }
    return outcome.kind;
  };
  co_return co_await Blocking(std::move(work));
}

void VoiceService::EndMedia(std::int64_t stream_id, std::int64_t user_id, const std::string& reason,
                            bool kicked) {
  if (media_) media_->EndMedia(RoomName(stream_id), user_id, reason, kicked);
}

void VoiceService::OnMediaConnected(std::int64_t stream_id, std::int64_t user_id) {
  auto work = [this, stream_id, user_id]() -> bool {
    try {
      if (rooms_.Heartbeat(stream_id, user_id)) return true;
      // A live media connection without a seat (state lost, evicted through another path):
      // the connection ends, and the client joins again through REST.
      EndMedia(stream_id, user_id, "seat_lost", false);
      return false;
    } catch (const std::exception&) {
      return false;  // the backend is down: keep the call, presence catches up later
    }
  };
  boost::asio::co_spawn(
      ioc_, [this, work]() -> awaitable<void> { co_await services_.blocking.Run(work); },
      boost::asio::detached);
}

void VoiceService::OnMediaDisconnected(std::int64_t stream_id, std::int64_t user_id) {
  ops::Info("voice", "media disconnected", {{"stream_id", stream_id}, {"user_id", user_id}});
}

}  // namespace chorus::voice
