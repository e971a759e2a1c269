// Presence with an injected clock (heartbeat, sweep, grace, full rooms) and token revocation,
// against LocalState and a real Redis.
#include <atomic>
#include <thread>

#include "../state/StateFixture.hpp"
#include "voice/RoomState.hpp"
#include "voice/TokenRegistry.hpp"

namespace chorus::voice {
namespace {

using namespace std::chrono_literals;
using state::testing::StateTest;

class RoomStateTest : public StateTest {
 protected:
  void SetUp() override {
    StateTest::SetUp();
    if (IsSkipped()) return;
    rooms_ = std::make_unique<RoomState>(State(), Clock(), 30s, 15s);
    stream_ = RandomId();
  }
  Member Candidate(std::int64_t user_id, std::string role = "member") {
    Member m;
    m.user_id = user_id;
    m.username = "user" + std::to_string(user_id);
    m.role = std::move(role);
    return m;
  }
  std::vector<Eviction> SweepMine() {
    std::vector<Eviction> mine;
    for (auto& e : rooms_->Sweep()) {
      if (e.stream_id == stream_) mine.push_back(e);
    }
    return mine;
  }
  std::unique_ptr<RoomState> rooms_;
  std::int64_t stream_ = 0;
};

TEST_P(RoomStateTest, JoinListsMembersInJoinOrderAndBumpsVersion) {
  EXPECT_EQ(rooms_->Version(stream_), 0);
  auto a = rooms_->Join(stream_, Candidate(1, "host"), 10);
  EXPECT_EQ(a.kind, JoinKind::kJoined);
  EXPECT_EQ(a.member.joined_at_ms, now_ms_.load());
  Advance(1s);
  auto b = rooms_->Join(stream_, Candidate(2), 10);
  EXPECT_EQ(b.kind, JoinKind::kJoined);
  EXPECT_GT(b.version, a.version);
  auto roster = rooms_->Roster(stream_);
  ASSERT_EQ(roster.size(), 2u);
  EXPECT_EQ(roster[0].user_id, 1);
  EXPECT_EQ(roster[0].role, "host");
  EXPECT_EQ(roster[1].user_id, 2);
  EXPECT_EQ(rooms_->MemberCount(stream_), 2);
  EXPECT_EQ(rooms_->Version(stream_), b.version);
}

TEST_P(RoomStateTest, RejoinWhilePresentIsSilentAndKeepsTheSeat) {
  auto first = rooms_->Join(stream_, Candidate(1), 10);
  Advance(5s);
  auto again = rooms_->Join(stream_, Candidate(1), 10);
  EXPECT_EQ(again.kind, JoinKind::kPresent);
  EXPECT_EQ(again.member.joined_at_ms, first.member.joined_at_ms);
  EXPECT_EQ(again.version, first.version);  // nothing changed, no event
  EXPECT_EQ(rooms_->Roster(stream_).size(), 1u);
}

TEST_P(RoomStateTest, FullRoomRefusesNewcomersButNotMembers) {
  rooms_->Join(stream_, Candidate(1), 2);
  rooms_->Join(stream_, Candidate(2), 2);
  EXPECT_EQ(rooms_->Join(stream_, Candidate(3), 2).kind, JoinKind::kFull);
  EXPECT_EQ(rooms_->Join(stream_, Candidate(2), 2).kind, JoinKind::kPresent);
  EXPECT_EQ(rooms_->MemberCount(stream_), 2);
}

TEST_P(RoomStateTest, HeartbeatsKeepAMemberAndSilenceGetsItEvicted) {
  rooms_->Join(stream_, Candidate(1), 10);
  rooms_->Join(stream_, Candidate(2), 10);
  for (int i = 0; i < 5; ++i) {  // user 1 heartbeats every 10 s for 50 s, user 2 never
    Advance(10s);
    EXPECT_TRUE(rooms_->Heartbeat(stream_, 1));
    auto evicted = SweepMine();
    if (i < 2) {
      EXPECT_TRUE(evicted.empty()) << i;  // 10 s, 20 s: within the timeout
    } else if (i == 2) {
      ASSERT_EQ(evicted.size(), 1u);  // 30 s: user 2 is stale
      EXPECT_EQ(evicted[0].member.user_id, 2);
      EXPECT_GT(evicted[0].version, 0);
    } else {
      EXPECT_TRUE(evicted.empty());
    }
  }
  auto roster = rooms_->Roster(stream_);
  ASSERT_EQ(roster.size(), 1u);
  EXPECT_EQ(roster[0].user_id, 1);
  EXPECT_FALSE(rooms_->Heartbeat(stream_, 2));  // evicted members must join again
  EXPECT_FALSE(rooms_->Heartbeat(stream_, 99));
}

TEST_P(RoomStateTest, RejoinWithinGraceRestoresTheSeat) {
  auto first = rooms_->Join(stream_, Candidate(1), 10);
  Advance(31s);
  ASSERT_EQ(SweepMine().size(), 1u);
  Advance(10s);  // within the 15 s grace
  auto back = rooms_->Join(stream_, Candidate(1), 10);
  EXPECT_EQ(back.kind, JoinKind::kRestored);
  EXPECT_EQ(back.member.joined_at_ms, first.member.joined_at_ms);
}

TEST_P(RoomStateTest, RejoinAfterGraceIsANewSeat) {
  rooms_->Join(stream_, Candidate(1), 10);
  Advance(31s);
  ASSERT_EQ(SweepMine().size(), 1u);
  Advance(16s);
  SweepMine();  // forgets the seat
  auto back = rooms_->Join(stream_, Candidate(1), 10);
  EXPECT_EQ(back.kind, JoinKind::kJoined);
  EXPECT_EQ(back.member.joined_at_ms, now_ms_.load());
}

TEST_P(RoomStateTest, PageHideKeepsTheSeatForTheGraceOnly) {
  rooms_->Join(stream_, Candidate(1), 10);
  EXPECT_FALSE(rooms_->ExpireWithin(stream_, 99, 15s));  // not a member
  ASSERT_TRUE(rooms_->ExpireWithin(stream_, 1, 15s));
  Advance(10s);
  EXPECT_TRUE(SweepMine().empty());  // still seated within the grace
  auto back = rooms_->Join(stream_, Candidate(1), 10);
  EXPECT_EQ(back.kind, JoinKind::kPresent);  // a reload rejoins silently
  ASSERT_TRUE(rooms_->ExpireWithin(stream_, 1, 15s));
  Advance(14s);
  EXPECT_TRUE(SweepMine().empty());
  Advance(2s);  // 16 s after hiding: past the grace, long before the 30 s timeout
  auto evicted = SweepMine();
  ASSERT_EQ(evicted.size(), 1u);
  EXPECT_EQ(evicted[0].member.user_id, 1);
}

TEST_P(RoomStateTest, LeaveIsIdempotent) {
  rooms_->Join(stream_, Candidate(1), 10);
  auto left = rooms_->Leave(stream_, 1);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->first.user_id, 1);
  EXPECT_FALSE(rooms_->Leave(stream_, 1));
  EXPECT_TRUE(rooms_->Roster(stream_).empty());
  Advance(60s);
  EXPECT_TRUE(SweepMine().empty());  // a member who left is never "timed out"
}

TEST_P(RoomStateTest, MuteIsStoredInTheRoster) {
  rooms_->Join(stream_, Candidate(1), 10);
  auto muted = rooms_->SetMuted(stream_, 1, true, true);
  ASSERT_EQ(muted.kind, MuteKind::kChanged);
  EXPECT_TRUE(muted.member.muted);
  EXPECT_TRUE(muted.member.muted_by_host);
  EXPECT_TRUE(rooms_->Roster(stream_)[0].muted);
  EXPECT_EQ(rooms_->SetMuted(stream_, 2, true, false).kind, MuteKind::kAbsent);
  rooms_->SetMaxMembers(stream_, 3);
  EXPECT_EQ(rooms_->MaxMembers(stream_), 3);
}

TEST_P(RoomStateTest, ASelfUnmuteNeverLiftsAHostMuteAndOnlyChangesAreWritten) {
  rooms_->Join(stream_, Candidate(1), 10);
  const auto v0 = rooms_->Version(stream_);
  EXPECT_EQ(rooms_->SetMuted(stream_, 1, false, false).kind, MuteKind::kUnchanged);
  EXPECT_EQ(rooms_->Version(stream_), v0) << "no change, no write";
  ASSERT_EQ(rooms_->SetMuted(stream_, 1, true, true).kind, MuteKind::kChanged);
  EXPECT_EQ(rooms_->SetMuted(stream_, 1, false, false).kind, MuteKind::kMutedByHost);
  EXPECT_EQ(rooms_->SetMuted(stream_, 1, true, false).kind, MuteKind::kUnchanged);
  auto member = rooms_->FindMember(stream_, 1);
  ASSERT_TRUE(member);
  EXPECT_TRUE(member->muted);
  EXPECT_TRUE(member->muted_by_host) << "a self-mute keeps the host's mute";
  const auto lifted = rooms_->SetMuted(stream_, 1, false, true);
  ASSERT_EQ(lifted.kind, MuteKind::kChanged);
  EXPECT_FALSE(lifted.member.muted);
  EXPECT_FALSE(lifted.member.muted_by_host);
}

TEST_P(RoomStateTest, AMuteAfterALeaveLeavesNoGhost) {
  rooms_->Join(stream_, Candidate(1), 10);
  ASSERT_TRUE(rooms_->Leave(stream_, 1));
  EXPECT_EQ(rooms_->SetMuted(stream_, 1, true, false).kind, MuteKind::kAbsent);
  EXPECT_FALSE(rooms_->Heartbeat(stream_, 1));
  EXPECT_TRUE(rooms_->Roster(stream_).empty());
  EXPECT_EQ(rooms_->MemberCount(stream_), 0);
}

TEST_P(RoomStateTest, ConcurrentJoinsNeverSeatMoreThanTheLimit) {
  std::vector<std::thread> threads;
  std::atomic<int> seated{0}, full{0};
  for (int user = 1; user <= 40; ++user) {
    threads.emplace_back([&, user] {
      const auto outcome = rooms_->Join(stream_, Candidate(user), 5);
      (outcome.kind == JoinKind::kFull ? full : seated)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(seated.load(), 5);
  EXPECT_EQ(full.load(), 35);
  EXPECT_EQ(rooms_->MemberCount(stream_), 5);
  EXPECT_EQ(rooms_->Roster(stream_).size(), 5u);
}

TEST_P(RoomStateTest, RevokedTokensAreRefused) {
  TokenRegistry registry(State());
  RoomClaims a, b;
  a.jti = "jti-a-" + std::to_string(stream_);
  a.user_id = 1;
  a.stream_id = stream_;
  a.session_id = stream_ + 1;
  b = a;
  b.jti = "jti-b-" + std::to_string(stream_);
  b.user_id = 2;
  b.session_id = stream_ + 2;
  EXPECT_TRUE(registry.IsRevoked(a.jti));  // never issued
  registry.Register(a, 600s);
  registry.Register(b, 600s);
  EXPECT_FALSE(registry.IsRevoked(a.jti));
  EXPECT_EQ(registry.RevokeSession(a.session_id), 1);
  EXPECT_TRUE(registry.IsRevoked(a.jti));
  EXPECT_FALSE(registry.IsRevoked(b.jti));
  EXPECT_EQ(registry.RevokeUser(stream_, 2), 1);
  EXPECT_TRUE(registry.IsRevoked(b.jti));
  EXPECT_EQ(registry.RevokeUser(stream_, 2), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, RoomStateTest, ::testing::Values("local", "redis"),
                         state::testing::BackendName);

}  // namespace
}  // namespace chorus::voice
