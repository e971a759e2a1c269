// Pinned speakers (Room::SetPinned, SpeakerSelection): with K = 1, a pinned member who is speaking
// takes the slot from a louder unpinned one; unpinning restores loudness order; a pinned member
// who is not speaking does not; of two pinned speakers the louder wins; pins of absent users
// apply when they join. Fake participants with real SRTP packets, as in ForwardingTest.
#include <gtest/gtest.h>

#include <set>

#include "RoomFixture.hpp"

namespace chorus::sfu::test {
namespace {

using std::chrono::milliseconds;

// Audio levels in -dBov (RFC 6464): loud, and quiet but above the speaking threshold (-50 dBov).
constexpr std::uint8_t kLoud = 5;
constexpr std::uint8_t kLouder = 2;
constexpr std::uint8_t kQuiet = 40;
// Audible (above SpeakerSelection::kMinLoudness) but below the speaking threshold.
constexpr std::uint8_t kMurmur = 100;

class PinnedSpeakersTest : public RoomFixture {
 protected:
  struct Talker {
    FakePeer* peer;
    Participant* participant;
    std::uint8_t level;
  };

  // Everyone in `talkers` sends one 20 ms packet per frame for `frames` frames, with Tick.
  void Talk(Room& room, std::initializer_list<Talker> talkers, int frames) {
    for (int i = 0; i < frames; ++i) {
      now_ += milliseconds(20);
      for (const auto& t : talkers) t.peer->Speak(room, *t.participant, t.level, now_);
      room.Tick(now_);
    }
  }

  // The original SSRCs (CSRC) of everything `peer` heard since the last drain.
  std::set<std::uint32_t> Heard(FakePeer& peer) {
    std::set<std::uint32_t> sources;
    for (const auto& r : peer.Drain(output_)) sources.insert(r.csrc);
    return sources;
  }

  void DrainAll(std::initializer_list<FakePeer*> peers) {
    for (FakePeer* peer : peers) peer->Drain(output_);
  }

  Clock::time_point now_ = Clock::now();
};

TEST_F(PinnedSpeakersTest, QuietPinnedSpeakerTakesTheSlotUntilUnpinned) {
  auto room = MakeRoom(1);
  FakePeer loud(1, 10001, 1), pinned(2, 10002, 1), listener(3, 10003, 1);
  Participant& pl = loud.Join(*room, now_);
  Participant& pp = pinned.Join(*room, now_);
  listener.Join(*room, now_);
  room->SetPinned({2});
  const std::initializer_list<Talker> both = {{&loud, &pl, kLoud}, {&pinned, &pp, kQuiet}};

  Talk(*room, both, 25);  // warm-up: speaking detection and one selection round
  ASSERT_TRUE(pp.Speaking());
  DrainAll({&loud, &pinned, &listener});
  Talk(*room, both, 50);
  EXPECT_EQ(Heard(listener), std::set<std::uint32_t>{pinned.Ssrc()});
  EXPECT_EQ(Heard(loud), std::set<std::uint32_t>{pinned.Ssrc()});
  EXPECT_EQ(Heard(pinned), std::set<std::uint32_t>{loud.Ssrc()});
  ASSERT_FALSE(room->Selected().empty());
  EXPECT_EQ(room->Selected()[0]->UserId(), 2);

  room->SetPinned({});
  EXPECT_FALSE(pp.Pinned());
  Talk(*room, both, 10);  // the next Tick re-selects
  DrainAll({&loud, &pinned, &listener});
  Talk(*room, both, 50);
  EXPECT_EQ(Heard(listener), std::set<std::uint32_t>{loud.Ssrc()}) << "loudness order again";
  EXPECT_EQ(room->Selected()[0]->UserId(), 1);
}

TEST_F(PinnedSpeakersTest, PinnedButNotSpeakingDoesNotTakeTheSlot) {
  auto room = MakeRoom(1);
  FakePeer loud(1, 10001, 1), pinned(2, 10002, 1), listener(3, 10003, 1);
  Participant& pl = loud.Join(*room, now_);
  Participant& pp = pinned.Join(*room, now_);
  listener.Join(*room, now_);
  room->SetPinned({2});
  // The pinned member sends audible packets that never reach the speaking threshold.
  const std::initializer_list<Talker> both = {{&loud, &pl, kLoud}, {&pinned, &pp, kMurmur}};

  Talk(*room, both, 25);
  EXPECT_FALSE(pp.Speaking());
  DrainAll({&loud, &pinned, &listener});
  Talk(*room, both, 50);
  EXPECT_EQ(Heard(listener), std::set<std::uint32_t>{loud.Ssrc()});
  EXPECT_EQ(room->Selected()[0]->UserId(), 1);

  // Silent (no packets at all, DTX): the loud one keeps the slot too.
  Talk(*room, {{&loud, &pl, kLoud}}, 50);
  EXPECT_EQ(Heard(listener), std::set<std::uint32_t>{loud.Ssrc()});
}

TEST_F(PinnedSpeakersTest, OfTwoPinnedSpeakersTheLouderGetsTheSlot) {
  auto room = MakeRoom(1);
  FakePeer quiet(1, 10001, 1), louder(2, 10002, 1), unpinned(3, 10003, 1), listener(4, 10004, 1);
  Participant& pq = quiet.Join(*room, now_);
  Participant& pl = louder.Join(*room, now_);
  Participant& pu = unpinned.Join(*room, now_);
  listener.Join(*room, now_);
  room->SetPinned({1, 2});
  const std::initializer_list<Talker> all = {
      {&quiet, &pq, kQuiet}, {&louder, &pl, kLoud}, {&unpinned, &pu, kLouder}};

  Talk(*room, all, 25);
  DrainAll({&quiet, &louder, &unpinned, &listener});
  Talk(*room, all, 50);
  EXPECT_EQ(Heard(listener), std::set<std::uint32_t>{louder.Ssrc()});
  // K + 1 selected: the two pinned, the louder first; the loudest unpinned one is left out.
  ASSERT_EQ(room->Selected().size(), 2u);
  EXPECT_EQ(room->Selected()[0]->UserId(), 2);
  EXPECT_EQ(room->Selected()[1]->UserId(), 1);
  EXPECT_TRUE(Heard(unpinned).contains(louder.Ssrc()));
}

TEST_F(PinnedSpeakersTest, PinOfAnAbsentUserAppliesWhenTheyJoin) {
  auto room = MakeRoom(1);
  room->SetPinned({2, 99});
  FakePeer loud(1, 10001, 1), pinned(2, 10002, 1), listener(3, 10003, 1);
  Participant& pl = loud.Join(*room, now_);
  listener.Join(*room, now_);
  Talk(*room, {{&loud, &pl, kLoud}}, 10);
  Participant& pp = pinned.Join(*room, now_);
  EXPECT_TRUE(pp.Pinned());
  EXPECT_FALSE(pl.Pinned());
  const std::initializer_list<Talker> both = {{&loud, &pl, kLoud}, {&pinned, &pp, kQuiet}};
  Talk(*room, both, 25);
  DrainAll({&loud, &pinned, &listener});
  Talk(*room, both, 50);
  EXPECT_EQ(Heard(listener), std::set<std::uint32_t>{pinned.Ssrc()});
  EXPECT_EQ(room->Pinned(), (std::vector<std::int64_t>{2, 99}));
}

TEST_F(PinnedSpeakersTest, PinnedSpeakerWhoStopsGivesTheSlotBack) {
  auto room = MakeRoom(1);
  FakePeer loud(1, 10001, 1), pinned(2, 10002, 1), listener(3, 10003, 1);
  Participant& pl = loud.Join(*room, now_);
  Participant& pp = pinned.Join(*room, now_);
  listener.Join(*room, now_);
  room->SetPinned({2});
  Talk(*room, {{&loud, &pl, kLoud}, {&pinned, &pp, kQuiet}}, 25);
  EXPECT_EQ(room->Selected()[0]->UserId(), 2);
  // The pinned member goes silent (DTX): once speaking ends (~0.7 s: release, then the 500 ms
  // off hold), the loud one gets the slot back, while the pinned one is still audible (its
  // loudness decays for ~1.4 s), so the pin alone no longer counts.
  Talk(*room, {{&loud, &pl, kLoud}}, 40);
  EXPECT_FALSE(pp.Speaking());
  DrainAll({&loud, &pinned, &listener});
  Talk(*room, {{&loud, &pl, kLoud}}, 15);
  EXPECT_TRUE(SpeakerSelection::Eligible(pp));
  EXPECT_EQ(Heard(listener), std::set<std::uint32_t>{loud.Ssrc()});
}

}  // namespace
}  // namespace chorus::sfu::test
