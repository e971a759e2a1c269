// Room forwarding with fake participants driven by synthetic SRTP packets: top-K choice, never
// one's own voice, mute, K=1, slot continuity across switches, CSRC, payload types.
#include <gtest/gtest.h>

#include <set>

#include "RoomFixture.hpp"

namespace chorus::sfu::test {
namespace {

using std::chrono::milliseconds;

class ForwardingTest : public RoomFixture {
 protected:
  Clock::time_point t0_ = Clock::now();
};

TEST_F(ForwardingTest, ForwardsToEveryoneElseNeverBackToTheSpeaker) {
  auto room = MakeRoom(4);
  FakePeer a(1, 10001, 4), b(2, 10002, 4, 109), c(3, 10003, 4);
  Participant& pa = a.Join(*room, t0_);
  b.Join(*room, t0_);
  c.Join(*room, t0_);
  output_.sent.clear();
  for (int i = 0; i < 10; ++i) a.Speak(*room, pa, 20, t0_ + milliseconds(20 * i));

  const auto at_a = a.Drain(output_);
  const auto at_b = b.Drain(output_);
  const auto at_c = c.Drain(output_);
  EXPECT_TRUE(at_a.empty()) << "the speaker must never hear itself";
  ASSERT_EQ(at_b.size(), 10u);
  ASSERT_EQ(at_c.size(), 10u);
  for (const auto& r : at_b) {
    EXPECT_EQ(r.csrc_count, 1u);
    EXPECT_EQ(r.csrc, a.Ssrc()) << "original SSRC in the CSRC list";
    EXPECT_EQ(r.ssrc, b.SlotSsrc(0));
    EXPECT_EQ(r.pt, 109) << "the subscriber's own payload type";
    ASSERT_TRUE(r.level);
    EXPECT_EQ(r.level->level_dbov, 20);
  }
  for (std::size_t i = 1; i < at_c.size(); ++i) {
    EXPECT_EQ(static_cast<std::uint16_t>(at_c[i - 1].seq + 1), at_c[i].seq);
    EXPECT_EQ(at_c[i].ts - at_c[i - 1].ts, 960u);
  }
  EXPECT_EQ(counters_.forwarded.load(), 20u);
}

TEST_F(ForwardingTest, ServerMutedSpeakerIsDroppedAndAnnounced) {
  std::vector<SfuEvent> b_events;  // outlives the room, which emits on destruction
  auto room = MakeRoom(4);
  FakePeer a(1, 10001, 4), b(2, 10002, 4);
  Participant& pa = a.Join(*room, t0_);
  b.Join(*room, t0_, &b_events);
  ASSERT_TRUE(room->SetMuted(1, true, /*by_host=*/true));
  output_.sent.clear();
  for (int i = 0; i < 5; ++i) a.Speak(*room, pa, 10, t0_ + milliseconds(20 * i));
  EXPECT_TRUE(b.Drain(output_).empty());
  EXPECT_EQ(counters_.drop_muted.load(), 5u);
  bool saw_muted = false;
  for (const auto& e : b_events) {
    if (const auto* m = std::get_if<MutedEvent>(&e)) {
      saw_muted = m->user_id == 1 && m->muted && m->by == MutedBy::kHost;
    }
  }
  EXPECT_TRUE(saw_muted);
  // A self-unmute does not lift a host mute.
  room->SetMuted(1, false, false);
  EXPECT_TRUE(pa.Muted());
  room->SetMuted(1, false, true);
  EXPECT_FALSE(pa.Muted());
  a.Speak(*room, pa, 10, t0_ + milliseconds(200));
  EXPECT_EQ(b.Drain(output_).size(), 1u);
}

TEST_F(ForwardingTest, WithOneSlotOnlyTheLoudestIsForwarded) {
  auto room = MakeRoom(1);
  FakePeer a(1, 10001, 1), b(2, 10002, 1), c(3, 10003, 1);
  // Slots that wrap during the warm-up: the receivers hear the warm-up (drained below), so their
  // SRTP rollover counters follow the wrap.
  for (FakePeer* peer : {&a, &b, &c}) peer->ForceInitialSlotSequence(0xFFE0);
  Participant& pa = a.Join(*room, t0_);
  Participant& pb = b.Join(*room, t0_);
  c.Join(*room, t0_);
  // B starts first (quiet), then A talks much louder: after the hysteresis, A owns the slot.
  auto now = t0_;
  for (int i = 0; i < 50; ++i) {
    now = t0_ + milliseconds(20 * i);
    b.Speak(*room, pb, 45, now);
    if (i >= 5) a.Speak(*room, pa, 5, now);
    room->Tick(now);
  }
  for (FakePeer* peer : {&a, &b, &c}) peer->Drain(output_);  // the warm-up crosses 0xFFFF
  for (int i = 50; i < 100; ++i) {
    now = t0_ + milliseconds(20 * i);
    b.Speak(*room, pb, 45, now);
    a.Speak(*room, pa, 5, now);
    room->Tick(now);
  }
  const auto at_c = c.Drain(output_);
  ASSERT_EQ(at_c.size(), 50u);
  for (const auto& r : at_c) EXPECT_EQ(r.csrc, a.Ssrc());
  const auto at_b = b.Drain(output_);
  ASSERT_EQ(at_b.size(), 50u);
  for (const auto& r : at_b) EXPECT_EQ(r.csrc, a.Ssrc()) << "B hears A";
  const auto at_a = a.Drain(output_);
  ASSERT_EQ(at_a.size(), 50u) << "the loudest hears the next loudest in its single slot";
  for (const auto& r : at_a) EXPECT_EQ(r.csrc, b.Ssrc());
  ASSERT_EQ(room->Selected().size(), 2u);
  EXPECT_EQ(room->Selected()[0]->UserId(), 1);
}

TEST_F(ForwardingTest, SimilarVoicesDoNotFlapTheSlot) {
  auto room = MakeRoom(1);
  FakePeer a(1, 10001, 1), b(2, 10002, 1), c(3, 10003, 1);
  Participant& pa = a.Join(*room, t0_);
  Participant& pb = b.Join(*room, t0_);
  c.Join(*room, t0_);
  for (int i = 0; i < 100; ++i) {
    const auto now = t0_ + milliseconds(20 * i);
    // Within the switching margin of each other, alternating who is a bit louder.
    a.Speak(*room, pa, i % 10 < 5 ? 30 : 33, now);
    b.Speak(*room, pb, i % 10 < 5 ? 33 : 30, now);
    room->Tick(now);
  }
  std::set<std::uint32_t> sources;
  for (const auto& r : c.Drain(output_)) sources.insert(r.csrc);
  EXPECT_EQ(sources.size(), 1u) << "hysteresis keeps the first speaker";
}

TEST_F(ForwardingTest, SlotStaysContinuousAcrossSpeakerSwitches) {
  auto room = MakeRoom(1);
  FakePeer a(1, 10001, 1), b(2, 10002, 1), c(3, 10003, 1);
  Participant& pa = a.Join(*room, t0_);
  Participant& pb = b.Join(*room, t0_);
  c.Join(*room, t0_);
  auto now = t0_;
  for (int i = 0; i < 20; ++i) {
    now = t0_ + milliseconds(20 * i);
    a.Speak(*room, pa, 10, now);
    room->Tick(now);
  }
  // A goes silent (DTX: no packets); after the release B takes over the slot.
  for (int i = 20; i < 150; ++i) {
    now = t0_ + milliseconds(20 * i);
    if (i >= 60) b.Speak(*room, pb, 10, now);
    room->Tick(now);
  }
  const auto at_c = c.Drain(output_);
  ASSERT_GT(at_c.size(), 40u);
  std::size_t switches = 0;
  for (std::size_t i = 1; i < at_c.size(); ++i) {
    EXPECT_EQ(at_c[i].ssrc, c.SlotSsrc(0));
    EXPECT_EQ(static_cast<std::uint16_t>(at_c[i - 1].seq + 1), at_c[i].seq) << "at " << i;
    EXPECT_GT(static_cast<std::int32_t>(at_c[i].ts - at_c[i - 1].ts), 0);
    if (at_c[i].csrc != at_c[i - 1].csrc) {
      ++switches;
      EXPECT_TRUE(at_c[i].marker) << "marker bit on a switch";
      EXPECT_EQ(at_c[i].csrc, b.Ssrc());
      // At least the wall-clock gap (B started 800 ms after A's last packet) in 48 kHz ticks.
      EXPECT_GE(at_c[i].ts - at_c[i - 1].ts, 48u * 800u);
    }
  }
  EXPECT_EQ(switches, 1u);
}

TEST_F(ForwardingTest, SlotEventsTellWhoEachSlotCarries) {
  std::vector<SfuEvent> b_events;  // outlives the room, which emits on destruction
  auto room = MakeRoom(2);
  FakePeer a(1, 10001, 2), b(2, 10002, 2);
  Participant& pa = a.Join(*room, t0_);
  b.Join(*room, t0_, &b_events);
  a.Speak(*room, pa, 10, t0_);
  bool saw = false;
  for (const auto& e : b_events) {
    if (const auto* s = std::get_if<SlotEvent>(&e)) saw = s->index == 0 && s->user_id == 1;
  }
  EXPECT_TRUE(saw);
}

TEST_F(ForwardingTest, GarbageIsDroppedAndCounted) {
  auto room = MakeRoom(4);
  FakePeer a(1, 10001, 4), b(2, 10002, 4);
  Participant& pa = a.Join(*room, t0_);
  b.Join(*room, t0_);
  std::array<std::uint8_t, 200> junk{};
  for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<std::uint8_t>(i * 37 + 5);
  junk[0] = 0x80;  // looks like RTP: must fail SRTP authentication
  junk[1] = 111;
  room->OnDatagram(pa, junk, t0_);
  junk[0] = 0xFF;  // not STUN/DTLS/RTP
  room->OnDatagram(pa, junk, t0_);
  room->OnDatagram(pa, std::span(junk.data(), 0), t0_);
  EXPECT_EQ(counters_.drop_srtp.load(), 1u);
  EXPECT_EQ(counters_.drop_malformed.load(), 2u);
  // Replaying a genuine packet is refused by SRTP too.
  std::array<std::uint8_t, 1500> buffer{};
  const auto n = a.MakePacket(10, buffer);
  auto copy = buffer;
  room->OnDatagram(pa, std::span(buffer.data(), n), t0_);
  room->OnDatagram(pa, std::span(copy.data(), n), t0_);
  EXPECT_EQ(counters_.drop_srtp.load(), 2u);
  EXPECT_EQ(b.Drain(output_).size(), 1u);
}

TEST_F(ForwardingTest, SecondJoinReplacesAndConsentExpiryRemoves) {
  std::vector<SfuEvent> first, b_events;  // outlives the room, which emits on destruction
  auto room = MakeRoom(4);
  FakePeer a(1, 10001, 4), a2(1, 10011, 4), b(2, 10002, 4);
  a.Join(*room, t0_, &first);
  Participant& pb = b.Join(*room, t0_, &b_events);
  a2.Join(*room, t0_);
  ASSERT_FALSE(first.empty());
  const auto* removed = std::get_if<RemovedEvent>(&first.back());
  ASSERT_NE(removed, nullptr);
  EXPECT_EQ(removed->reason, RemovalReason::kReplaced);
  EXPECT_EQ(room->Size(), 2u);
  // B keeps checking in, the new A does not: after 30 s only A is removed (RFC 7675).
  for (int s = 1; s <= 31; ++s) {
    const auto now = t0_ + std::chrono::seconds(s);
    if (s % 5 == 0) b.CheckIn(*room, pb, now);
    room->Tick(now);
  }
  EXPECT_EQ(room->Size(), 1u);
  EXPECT_NE(room->Find(2), nullptr);
  bool saw_left = false;
  for (const auto& e : b_events) {
    if (const auto* m = std::get_if<MemberEvent>(&e)) {
      saw_left |= m->kind == MemberEvent::Kind::kLeft && m->member.user_id == 1;
    }
  }
  EXPECT_TRUE(saw_left);
}

TEST_F(ForwardingTest, SendsReceiverAndSenderReports) {
  auto room = MakeRoom(4);
  FakePeer a(1, 10001, 4), b(2, 10002, 4);
  Participant& pa = a.Join(*room, t0_);
  b.Join(*room, t0_);
  for (int i = 0; i < 10; ++i) a.Speak(*room, pa, 10, t0_ + milliseconds(20 * i));
  output_.sent.clear();
  room->Tick(t0_ + milliseconds(200));
  // A gets an RR on its upstream, B an SR for its slot: both are SRTCP (RTCP packet types).
  ASSERT_FALSE(output_.sent[10001].empty());
  ASSERT_FALSE(output_.sent[10002].empty());
  EXPECT_TRUE(rtc::RtpPacket::IsRtcp(output_.sent[10001].back()));
  EXPECT_EQ(output_.sent[10001].back()[1], 201) << "receiver report";
  EXPECT_EQ(output_.sent[10002].back()[1], 200) << "sender report";
}

TEST_F(ForwardingTest, ASlotStartingNearTheWrapStaysDecryptableAcrossIt) {
  auto room = MakeRoom(1);
  FakePeer a(1, 10001, 1), b(2, 10002, 1);
  b.ForceInitialSlotSequence(0xFFE0);
  Participant& pa = a.Join(*room, t0_);
  b.Join(*room, t0_);
  output_.sent.clear();
  std::vector<ReceivedRtp> heard;
  for (int i = 0; i < 100; ++i) {
    const auto now = t0_ + milliseconds(20 * i);
    a.Speak(*room, pa, 10, now);
    room->Tick(now);
    for (const auto& r : b.Drain(output_)) heard.push_back(r);
  }
  ASSERT_EQ(heard.size(), 100u) << "every packet decrypts, before and after 0xFFFF";
  EXPECT_EQ(heard.front().seq, 0xFFE0);
  for (std::size_t i = 1; i < heard.size(); ++i) {
    EXPECT_EQ(static_cast<std::uint16_t>(heard[i - 1].seq + 1), heard[i].seq);
  }
}

TEST_F(ForwardingTest, NewSlotsNeverStartAtOrAbove0x8000) {
  for (int i = 0; i < 10'000; ++i) {
    ASSERT_LE(SlotRewriter::RandomInitialSequence(), SlotRewriter::kMaxInitialSequence);
  }
  // And the slots of real participants: the first packet each receiver hears starts below.
  auto room = MakeRoom(1);
  FakePeer a(1, 10001, 1);
  Participant& pa = a.Join(*room, t0_);
  for (std::int64_t user = 2; user < 50; ++user) {
    FakePeer listener(user, static_cast<std::uint16_t>(10000 + user), 1);
    listener.Join(*room, t0_);
    output_.sent.clear();
    a.Speak(*room, pa, 10, t0_);
    const auto heard = listener.Drain(output_);
    ASSERT_EQ(heard.size(), 1u);
    EXPECT_LT(heard.front().seq, 0x8000);
    room->Remove(user, RemovalReason::kLeft);
  }
}

}  // namespace
}  // namespace chorus::sfu::test
