// VoiceService over a real database (SQLite, and Postgres when CHORUS_TEST_POSTGRES_URL is set)
// and the in-process state with an injected clock: room tokens are refused once revoked by
// logout, leave or kick; the sweep records timeouts durably; a rejoin within the grace keeps the
// seat.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <future>

#include "../store/StoreFixture.hpp"
#include "auth/RateLimiter.hpp"
#include "auth/SessionService.hpp"
#include "state/LocalState.hpp"
#include "store/SessionRepository.hpp"
#include "store/StreamRepository.hpp"
#include "store/VoiceRepository.hpp"
#include "util/Crypto.hpp"
#include "voice/VoiceService.hpp"

namespace chorus::voice {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

class VoiceServiceTest : public store::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    config_.voice.presence_timeout = 30s;
    config_.voice.rejoin_grace = 15s;
    blocking_ = std::make_unique<util::BlockingPool>(2);
    sessions_ = std::make_unique<auth::SessionService>(Db(), *blocking_, config_);
    services_ = std::make_unique<app::Services>(
        app::Services{config_, Db(), *blocking_, metrics_, limiter_, *sessions_});
    state_ = std::make_unique<state::LocalState>();
    voice_ = std::make_unique<VoiceService>(ioc_, *services_, *state_, [this] { return now_ms_; });
    voice_->Start();
    host_ = MakeUser("host");
    alice_ = MakeUser("alice");
    With([&](store::Connection& c) {
      store::StreamInput in;
      in.title = "voice";
      in.host_id = host_.id;
      in.voice_enabled = true;
      stream_id_ = store::StreamRepository(c).Create(in, NowMs()).id;
    });
  }
  void TearDown() override {
    if (voice_) voice_->Stop();
    ioc_.run_for(1s);  // lets the stop reach the timer
    if (blocking_) blocking_->Stop();
    StoreTest::TearDown();
  }

  // Runs a coroutine on the test's io_context until it completes (bounded).
  template <class T>
  T Await(asio::awaitable<T> aw) {
    auto fut = asio::co_spawn(ioc_, std::move(aw), asio::use_future);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (fut.wait_for(0s) != std::future_status::ready) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("timed out");
      ioc_.restart();
      ioc_.run_for(20ms);
    }
    return fut.get();
  }
  // The ApiError code a coroutine throws, or "" when it succeeds.
  template <class T>
  std::string ErrorOf(asio::awaitable<T> aw) {
    try {
      Await(std::move(aw));
      return "";
    } catch (const http::ApiError& e) {
      return e.Code() + ":" + e.what();
    }
  }
  auth::AuthedUser As(const store::User& u, std::int64_t session_id) {
    return auth::AuthedUser{u.id, u.username, u.role, session_id};
  }

  config::Config config_;
  asio::io_context ioc_;
  ops::Metrics metrics_;
  auth::LocalRateLimiter limiter_;
  std::unique_ptr<util::BlockingPool> blocking_;
  std::unique_ptr<auth::SessionService> sessions_;
  std::unique_ptr<app::Services> services_;
  std::unique_ptr<state::LocalState> state_;
  std::unique_ptr<VoiceService> voice_;
  std::int64_t now_ms_ = NowMs();
  store::User host_, alice_;
  std::int64_t stream_id_ = 0;
};

TEST_P(VoiceServiceTest, JoinMintsATokenTheRtcHandshakeAccepts) {
  auto body = Await(voice_->Join(As(alice_, 1), stream_id_, "ws://h/rtc"));
  const std::string token(body.at("token").as_string());
  auto claims = Await(voice_->VerifyRoomToken(token));
  EXPECT_EQ(claims.user_id, alice_.id);
  EXPECT_EQ(claims.stream_id, stream_id_);
  EXPECT_EQ(claims.room, RoomName(stream_id_));
  EXPECT_EQ(claims.role, "member");
  EXPECT_FALSE(claims.can_moderate);
  EXPECT_EQ(ErrorOf(voice_->VerifyRoomToken(token + "x")), "invalid_token:bad_signature");
  EXPECT_EQ(ErrorOf(voice_->VerifyRoomToken("junk")), "invalid_token:malformed");
}

TEST_P(VoiceServiceTest, LogoutRevokesTheSessionsTokens) {
  const auto cookie = Await(sessions_->Create(alice_.id, "127.0.0.1"));
  std::int64_t session_id = 0;
  With([&](store::Connection& c) {
    session_id =
        store::SessionRepository(c).FindValid(util::Sha256Hex(cookie), NowMs())->session.id;
  });
  // Two rooms joined from this session, one from another session.
  std::int64_t other_stream = 0;
  With([&](store::Connection& c) {
    store::StreamInput in;
    in.title = "second";
    in.voice_enabled = true;
    other_stream = store::StreamRepository(c).Create(in, NowMs()).id;
  });
  auto a = Await(voice_->Join(As(alice_, session_id), stream_id_, "ws://h/rtc"));
  auto b = Await(voice_->Join(As(alice_, session_id), other_stream, "ws://h/rtc"));
  auto other = Await(voice_->Join(As(host_, session_id + 1000), stream_id_, "ws://h/rtc"));
  EXPECT_EQ(Await(sessions_->Destroy(cookie)), session_id);
  // The revocation runs on the pool after the logout; wait for it (bounded).
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (ErrorOf(voice_->VerifyRoomToken(std::string(b.at("token").as_string()))).empty() &&
         std::chrono::steady_clock::now() < deadline) {
    ioc_.restart();
    ioc_.run_for(20ms);
  }
  EXPECT_EQ(ErrorOf(voice_->VerifyRoomToken(std::string(a.at("token").as_string()))),
            "invalid_token:revoked");
  EXPECT_EQ(ErrorOf(voice_->VerifyRoomToken(std::string(b.at("token").as_string()))),
            "invalid_token:revoked");
  EXPECT_EQ(ErrorOf(voice_->VerifyRoomToken(std::string(other.at("token").as_string()))), "");
}

TEST_P(VoiceServiceTest, LeaveAndKickRevokeTokens) {
  auto mine = Await(voice_->Join(As(alice_, 1), stream_id_, "ws://h/rtc"));
  EXPECT_TRUE(Await(voice_->Leave(As(alice_, 1), stream_id_)));
  EXPECT_EQ(ErrorOf(voice_->VerifyRoomToken(std::string(mine.at("token").as_string()))),
            "invalid_token:revoked");
  auto again = Await(voice_->Join(As(alice_, 1), stream_id_, "ws://h/rtc"));
  EXPECT_EQ(ErrorOf(voice_->VerifyRoomToken(std::string(again.at("token").as_string()))), "");
  EXPECT_EQ(ErrorOf(voice_->Moderate(As(alice_, 1), stream_id_, host_.id, "kick")).substr(0, 9),
            "forbidden");
  Await(voice_->Moderate(As(host_, 2), stream_id_, alice_.id, "kick"));
  EXPECT_EQ(ErrorOf(voice_->VerifyRoomToken(std::string(again.at("token").as_string()))),
            "invalid_token:revoked");
  EXPECT_EQ(ErrorOf(voice_->Join(As(alice_, 1), stream_id_, "ws://h/rtc")).substr(0, 6), "kicked");
  With([&](store::Connection& c) {
    auto audit = store::VoiceRepository(c).ListAudit(10, stream_id_);
    ASSERT_FALSE(audit.empty());
    EXPECT_EQ(audit.front().action, "voice.kick");
    EXPECT_EQ(audit.front().actor_id, host_.id);
    EXPECT_EQ(audit.front().target_user_id, alice_.id);
  });
}

TEST_P(VoiceServiceTest, ExpiredTokensAreRefused) {
  auto body = Await(voice_->Join(As(alice_, 1), stream_id_, "ws://h/rtc"));
  now_ms_ += 601'000;  // past the default 600 s lifetime
  EXPECT_EQ(ErrorOf(voice_->VerifyRoomToken(std::string(body.at("token").as_string()))),
            "invalid_token:expired");
}

TEST_P(VoiceServiceTest, SweepRecordsTimeoutsAndGraceKeepsTheSeat) {
  auto first = Await(voice_->Join(As(alice_, 1), stream_id_, "ws://h/rtc"));
  const std::string joined_at(first.at("member").at("joined_at").as_string());
  now_ms_ += 20'000;
  Await(voice_->Heartbeat(As(alice_, 1), stream_id_));
  now_ms_ += 20'000;
  EXPECT_EQ(voice_->SweepOnce(), 0);  // 20 s since the heartbeat
  now_ms_ += 11'000;
  EXPECT_EQ(voice_->SweepOnce(), 1);  // 31 s
  EXPECT_EQ(ErrorOf(voice_->Heartbeat(As(alice_, 1), stream_id_)).substr(0, 10), "not_joined");
  With([&](store::Connection& c) {
    store::VoiceRepository repo(c);
    EXPECT_EQ(repo.CountOpenMembers(stream_id_), 0);
    auto audit = repo.ListAudit(1, stream_id_);
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_EQ(audit[0].action, "voice.timeout");
    EXPECT_EQ(audit[0].target_user_id, alice_.id);
  });
  EXPECT_EQ(ErrorOf(voice_->VerifyRoomToken(std::string(first.at("token").as_string()))),
            "invalid_token:revoked");
  now_ms_ += 5'000;  // within the 15 s grace
  auto back = Await(voice_->Join(As(alice_, 1), stream_id_, "ws://h/rtc"));
  EXPECT_EQ(std::string(back.at("member").at("joined_at").as_string()), joined_at);
}

CHORUS_STORE_BACKENDS(VoiceServiceTest);

}  // namespace
}  // namespace chorus::voice
