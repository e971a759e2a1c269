// The stage and moderation rules of the room scripts (issue 10): the speaker limit (atomic under
// concurrent unmutes), listeners in stage rooms, raised hands, slow mode, mode switches, roles,
// and the mute-toggle bucket — against LocalState and a real Redis (the Lua twins).
#include <atomic>
#include <thread>

#include "../state/StateFixture.hpp"
#include "voice/RoomState.hpp"
#include "voice/ToggleBucket.hpp"

namespace chorus::voice {
namespace {

using namespace std::chrono_literals;
using state::testing::StateTest;

class StageStateTest : public StateTest {
 protected:
  void SetUp() override {
    StateTest::SetUp();
    if (IsSkipped()) return;
    rooms_ = std::make_unique<RoomState>(State(), Clock(), 30s, 15s);
    stream_ = RandomId();
  }
  void Configure(std::string mode, int max_speakers, int slow_mode_seconds = 0) {
    RoomConfig c;
    c.mode = std::move(mode);
    c.max_speakers = max_speakers;
    c.slow_mode_seconds = slow_mode_seconds;
    rooms_->SetConfig(stream_, c);
  }
  Member Seat(std::int64_t user_id, bool muted, bool privileged = false) {
    Member m;
    m.user_id = user_id;
    m.username = "user" + std::to_string(user_id);
    m.role = privileged ? "moderator" : "member";
    m.muted = muted;
    return rooms_->Join(stream_, m, 100, privileged).member;
  }
  int Unmuted() {
    int n = 0;
    for (const auto& m : rooms_->Roster(stream_)) n += m.muted ? 0 : 1;
    return n;
  }
  std::unique_ptr<RoomState> rooms_;
  std::int64_t stream_ = 0;
};

TEST_P(StageStateTest, ConfigIsCachedInTheRoomHash) {
  EXPECT_FALSE(rooms_->HasConfig(stream_));
  EXPECT_FALSE(rooms_->Config(stream_));
  RoomConfig c;
  c.mode = "stage";
  c.max_speakers = 3;
  c.slow_mode_seconds = 20;
  c.pinned = {5, 7};
  rooms_->SetConfig(stream_, c);
  ASSERT_TRUE(rooms_->HasConfig(stream_));
  const auto read = rooms_->Config(stream_);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->mode, "stage");
  EXPECT_EQ(read->max_speakers, 3);
  EXPECT_EQ(read->slow_mode_seconds, 20);
  EXPECT_EQ(read->pinned, (std::vector<std::int64_t>{5, 7}));
  EXPECT_TRUE(rooms_->Roster(stream_).empty());  // settings fields are not members
}

TEST_P(StageStateTest, SpeakerLimitRefusesTheUnmuteAndWritesNothing) {
  Configure("open", 2);
  Seat(1, false);
  Seat(2, false);
  const auto third = Seat(3, false);  // a join at the limit is seated muted
  EXPECT_TRUE(third.muted);
  EXPECT_TRUE(third.speaker);
  const auto version = rooms_->Version(stream_);
  const auto refused = rooms_->SetMuted(stream_, 3, false, false);
  EXPECT_EQ(refused.kind, MuteKind::kSpeakerLimit);
  EXPECT_EQ(rooms_->Version(stream_), version);
  EXPECT_TRUE(rooms_->FindMember(stream_, 3)->muted);
  // A moderator's unmute is refused the same way.
  EXPECT_EQ(rooms_->SetMuted(stream_, 3, false, true).kind, MuteKind::kSpeakerLimit);
  // A host or moderator is counted but never refused.
  EXPECT_EQ(rooms_->SetMuted(stream_, 3, false, false, /*privileged=*/true).kind,
            MuteKind::kChanged);
  EXPECT_EQ(Unmuted(), 3);
  // Someone mutes: still over (3 unmuted counting the moderator), one more mute frees a place.
  EXPECT_EQ(rooms_->SetMuted(stream_, 1, true, false).kind, MuteKind::kChanged);
  EXPECT_EQ(rooms_->SetMuted(stream_, 1, false, false).kind, MuteKind::kSpeakerLimit);
  EXPECT_EQ(rooms_->SetMuted(stream_, 2, true, false).kind, MuteKind::kChanged);
  EXPECT_EQ(rooms_->SetMuted(stream_, 1, false, false).kind, MuteKind::kChanged);
}

TEST_P(StageStateTest, NoLimitWhenMaxSpeakersIsZero) {
  Configure("open", 0);
  for (int i = 1; i <= 6; ++i) EXPECT_FALSE(Seat(i, false).muted);
  EXPECT_EQ(Unmuted(), 6);
}

TEST_P(StageStateTest, ConcurrentUnmutesNeverPassTheLimit) {
  Configure("open", 3);
  constexpr int kMembers = 12;
  for (int i = 1; i <= kMembers; ++i) Seat(i, true);
  std::atomic<int> passed{0};
  std::vector<std::thread> threads;
  for (int i = 1; i <= kMembers; ++i) {
    threads.emplace_back([&, i] {
      if (rooms_->SetMuted(stream_, i, false, false).kind == MuteKind::kChanged) ++passed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(passed.load(), 3);
  EXPECT_EQ(Unmuted(), 3);
}

TEST_P(StageStateTest, StageSeatsListenersAndRefusesTheirUnmute) {
  Configure("stage", 0);
  const auto host = Seat(1, false, /*privileged=*/true);
  EXPECT_TRUE(host.speaker);
  EXPECT_FALSE(host.muted);
  const auto listener = Seat(2, false);
  EXPECT_FALSE(listener.speaker);
  EXPECT_TRUE(listener.muted);
  EXPECT_EQ(rooms_->SetMuted(stream_, 2, false, false).kind, MuteKind::kNotASpeaker);
  EXPECT_EQ(rooms_->SetMuted(stream_, 2, false, true).kind, MuteKind::kNotASpeaker);
  EXPECT_TRUE(rooms_->FindMember(stream_, 2)->muted);
}

TEST_P(StageStateTest, HandsQueueAndApprovalMakesASpeaker) {
  Configure("stage", 0);
  Seat(1, false, true);
  Seat(2, false);
  Seat(3, false);
  EXPECT_EQ(rooms_->RaiseHand(stream_, 1, true, true).kind, MuteKind::kAlreadySpeaker);
  const auto raised = rooms_->RaiseHand(stream_, 3, true, false);
  EXPECT_EQ(raised.kind, MuteKind::kChanged);
  EXPECT_EQ(raised.member.hand_raised_at_ms, now_ms_.load());
  Advance(1s);
  EXPECT_EQ(rooms_->RaiseHand(stream_, 2, true, false).kind, MuteKind::kChanged);
  EXPECT_EQ(rooms_->RaiseHand(stream_, 2, true, false).kind, MuteKind::kUnchanged);
  EXPECT_EQ(rooms_->RaiseHand(stream_, 9, true, false).kind, MuteKind::kAbsent);
  // Approve 3: a speaker, hand cleared, still muted; then their own unmute passes.
  const auto approved = rooms_->SetSpeaker(stream_, 3, true);
  EXPECT_EQ(approved.kind, MuteKind::kChanged);
  EXPECT_TRUE(approved.member.speaker);
  EXPECT_TRUE(approved.member.muted);
  EXPECT_EQ(approved.member.hand_raised_at_ms, 0);
  EXPECT_EQ(rooms_->SetMuted(stream_, 3, false, false).kind, MuteKind::kChanged);
  // Back to the audience: muted, a listener.
  const auto back = rooms_->SetSpeaker(stream_, 3, false);
  EXPECT_FALSE(back.member.speaker);
  EXPECT_TRUE(back.member.muted);
  // Lowering always passes.
  EXPECT_EQ(rooms_->RaiseHand(stream_, 2, false, false).kind, MuteKind::kChanged);
  EXPECT_EQ(rooms_->FindMember(stream_, 2)->hand_raised_at_ms, 0);
}

TEST_P(StageStateTest, OpenRoomsRefuseStageOperations) {
  Configure("open", 0);
  Seat(1, false);
  EXPECT_EQ(rooms_->RaiseHand(stream_, 1, true, false).kind, MuteKind::kNotStage);
  EXPECT_EQ(rooms_->RaiseHand(stream_, 1, false, false).kind, MuteKind::kUnchanged);
  EXPECT_EQ(rooms_->SetSpeaker(stream_, 1, true).kind, MuteKind::kNotStage);
}

TEST_P(StageStateTest, SlowModeSpacesSelfUnmutesAndHands) {
  Configure("open", 0, 10);
  Seat(1, true);
  Seat(2, true, true);
  EXPECT_EQ(rooms_->SetMuted(stream_, 1, false, false).kind, MuteKind::kChanged);
  EXPECT_EQ(rooms_->SetMuted(stream_, 1, true, false).kind, MuteKind::kChanged);
  Advance(4s);
  const auto slow = rooms_->SetMuted(stream_, 1, false, false);
  EXPECT_EQ(slow.kind, MuteKind::kSlowMode);
  EXPECT_EQ(slow.retry_after_ms, 6000);
  EXPECT_TRUE(rooms_->FindMember(stream_, 1)->muted);
  // Moderators are not held back, and a moderator's unmute is not a self-unmute.
  EXPECT_EQ(rooms_->SetMuted(stream_, 2, false, false, true).kind, MuteKind::kChanged);
  EXPECT_EQ(rooms_->SetMuted(stream_, 2, true, false, true).kind, MuteKind::kChanged);
  EXPECT_EQ(rooms_->SetMuted(stream_, 2, false, false, true).kind, MuteKind::kChanged);
  Advance(6s);
  EXPECT_EQ(rooms_->SetMuted(stream_, 1, false, false).kind, MuteKind::kChanged);

  // Hands in a stage room.
  Configure("stage", 0, 10);
  rooms_->SetMode(stream_, "stage", {2});
  EXPECT_EQ(rooms_->RaiseHand(stream_, 1, true, false).kind, MuteKind::kChanged);
  EXPECT_EQ(rooms_->RaiseHand(stream_, 1, false, false).kind, MuteKind::kChanged);
  Advance(3s);
  const auto hand = rooms_->RaiseHand(stream_, 1, true, false);
  EXPECT_EQ(hand.kind, MuteKind::kSlowMode);
  EXPECT_EQ(hand.retry_after_ms, 7000);
}

TEST_P(StageStateTest, ModeSwitchRewritesMembersInOneStep) {
  Configure("open", 0);
  Seat(1, false, true);
  Seat(2, false);
  Seat(3, true);
  const auto before = rooms_->Version(stream_);
  const auto stage = rooms_->SetMode(stream_, "stage", {1});
  ASSERT_EQ(stage.changed.size(), 2u);  // 2 and 3 become listeners; 1 stays as it was
  EXPECT_GT(stage.changed[0].second, before);
  EXPECT_NE(stage.changed[0].second, stage.changed[1].second);
  EXPECT_EQ(rooms_->Config(stream_)->mode, "stage");
  for (const auto& m : rooms_->Roster(stream_)) {
    EXPECT_EQ(m.speaker, m.user_id == 1) << m.user_id;
    EXPECT_EQ(m.muted, m.user_id != 1) << m.user_id;
  }
  EXPECT_EQ(rooms_->RaiseHand(stream_, 3, true, false).kind, MuteKind::kChanged);
  const auto open = rooms_->SetMode(stream_, "open", {1});
  EXPECT_EQ(open.changed.size(), 2u);
  for (const auto& m : rooms_->Roster(stream_)) {
    EXPECT_TRUE(m.speaker);
    EXPECT_EQ(m.hand_raised_at_ms, 0);
    EXPECT_EQ(m.muted, m.user_id != 1);  // mute states unchanged
  }
}

TEST_P(StageStateTest, RoleChangeMakesAModeratorASpeaker) {
  Configure("stage", 0);
  Seat(2, false);
  const auto promoted = rooms_->SetRole(stream_, 2, "moderator");
  EXPECT_EQ(promoted.kind, MuteKind::kChanged);
  EXPECT_EQ(promoted.member.role, "moderator");
  EXPECT_TRUE(promoted.member.speaker);
  EXPECT_EQ(rooms_->SetRole(stream_, 2, "moderator").kind, MuteKind::kUnchanged);
  const auto demoted = rooms_->SetRole(stream_, 2, "member");
  EXPECT_EQ(demoted.member.role, "member");
  EXPECT_TRUE(demoted.member.speaker);  // keeps the stage until sent back
  EXPECT_EQ(rooms_->SetRole(stream_, 99, "member").kind, MuteKind::kAbsent);
}

TEST_P(StageStateTest, ToggleBucketRefillsOverTheWindow) {
  ToggleBucket bucket(State(), Clock(), 5, 10s);
  const auto user = RandomId();
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(bucket.Take(user)) << i;
  const auto wait = bucket.Take(user);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 2000);
  Advance(2s);
  EXPECT_FALSE(bucket.Take(user));
  EXPECT_TRUE(bucket.Take(user));
  EXPECT_FALSE(bucket.Take(RandomId()));  // per user
}

INSTANTIATE_TEST_SUITE_P(Backends, StageStateTest, ::testing::Values("local", "redis"),
                         state::testing::BackendName);

}  // namespace
}  // namespace chorus::voice
