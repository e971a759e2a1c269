// The SFU engine end to end on loopback without a browser: Sfu::Start with two workers sharing
// one port (SO_REUSEPORT), joins with a captured Chromium offer, real ICE checks over UDP from
// several client sockets (whichever worker the kernel picks must answer), garbage datagrams,
// mute, kick, replace, leave, pins.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "Sfu.hpp"
#include "rtc/StunPacket.hpp"
#include "rtc/StunWriter.hpp"

namespace chorus::sfu {
namespace {

using namespace std::chrono_literals;

std::string ReadOffer(const std::string& name) {
  std::ifstream in(std::string(CHORUS_TEST_DATA) + "/sdp/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string SdpAttribute(const std::string& sdp, const std::string& name) {
  const auto at = sdp.find("a=" + name + ":");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 3;
  return sdp.substr(start, sdp.find_first_of("\r\n", start) - start);
}

// Collects a participant's events (they arrive on a worker thread).
struct EventLog {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<SfuEvent> events;
  EventSink Sink() {
    return [this](const SfuEvent& e) {
      std::lock_guard lock(mu);
      events.push_back(e);
      cv.notify_all();
    };
  }
  template <typename Pred>
  bool WaitFor(Pred pred, std::chrono::milliseconds timeout = 2000ms) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] {
      for (const auto& e : events) {
        if (pred(e)) return true;
      }
      return false;
    });
  }
};

bool IsRemoved(const SfuEvent& e, RemovalReason reason) {
  const auto* r = std::get_if<RemovedEvent>(&e);
  return r && r->reason == reason;
}

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SfuConfig config;
    config.udp_port = 0;
    config.bind = "127.0.0.1";
    config.workers = 2;
    config.audio_slots = 4;
    sfu_ = Sfu::Start(config);
    ASSERT_NE(sfu_->UdpPort(), 0);
  }

  JoinResult JoinBlocking(std::int64_t user, EventLog& log, const std::string& offer) {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<JoinResult> result;
    sfu_->Join({"stream-1", user, "user" + std::to_string(user), offer, true}, log.Sink(),
               [&](JoinResult r) {
                 std::lock_guard lock(mu);
                 result = std::move(r);
                 cv.notify_all();
               });
    std::unique_lock lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, 2s, [&] { return result.has_value(); }));
    return result.value_or(JoinResult{});
  }

  template <typename Pred>
  bool WaitStats(Pred pred) {
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred(sfu_->Stats())) return true;
      std::this_thread::sleep_for(5ms);  // polling a counter, bounded by the deadline
    }
    return pred(sfu_->Stats());
  }

  // A UDP socket on loopback connected to the SFU port.
  int ClientSocket() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(sfu_->UdpPort());
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
    fds_.push_back(fd);
    return fd;
  }

  void TearDown() override {
    sfu_.reset();
    for (int fd : fds_) ::close(fd);
  }

  // Event logs outlive the Sfu (declared first, destroyed last).
  EventLog one, two, one_again;
  std::unique_ptr<Sfu> sfu_;
  std::vector<int> fds_;
};

TEST_F(WorkerTest, JoinAnswersAndIceChecksGetResponsesFromAnyWorker) {
  const std::string offer = ReadOffer("chromium-offer.sdp");
  const JoinResult joined = JoinBlocking(7, one, offer);
  ASSERT_TRUE(joined.ok) << joined.error_code << " " << joined.error_message;
  EXPECT_NE(joined.answer_sdp.find("a=ice-lite"), std::string::npos);
  EXPECT_NE(joined.answer_sdp.find(std::to_string(sfu_->UdpPort()) + " typ host"),
            std::string::npos);
  EXPECT_FALSE(joined.participant_id.empty());
  ASSERT_EQ(joined.members.size(), 1u);
  EXPECT_EQ(joined.members[0].user_id, 7);
  EXPECT_TRUE(WaitStats([](const SfuStats& s) { return s.participants == 1 && s.rooms == 1; }));

  const std::string local_ufrag = SdpAttribute(joined.answer_sdp, "ice-ufrag");
  const std::string local_pwd = SdpAttribute(joined.answer_sdp, "ice-pwd");
  const std::string remote_ufrag = SdpAttribute(offer, "ice-ufrag");
  ASSERT_FALSE(local_ufrag.empty());
  // Eight source ports: the kernel spreads them over both workers; each check must be answered
  // (by the owner, after a handoff when it arrived at the other worker).
  for (int i = 0; i < 8; ++i) {
    const int fd = ClientSocket();
    std::array<std::uint8_t, 256> request{};
    std::array<std::uint8_t, rtc::stun::kTransactionIdBytes> id{};
    id[0] = static_cast<std::uint8_t>(i + 1);
    const std::string username = local_ufrag + ":" + remote_ufrag;
    rtc::StunBindingRequestParams params;
    params.username = username;
    params.password = local_pwd;
    params.priority = 100;
    params.tie_breaker = 42;
    params.use_candidate = i == 0;
    const auto n = rtc::StunWriter::WriteBindingRequest(request, id, params);
    ASSERT_GT(n, 0u);
    ASSERT_EQ(::send(fd, request.data(), n, 0), static_cast<ssize_t>(n));
    pollfd pfd{fd, POLLIN, 0};
    ASSERT_EQ(::poll(&pfd, 1, 2000), 1) << "no STUN response on socket " << i;
    std::array<std::uint8_t, 512> response{};
    const auto got = ::recv(fd, response.data(), response.size(), 0);
    ASSERT_GT(got, 0);
    auto parsed = rtc::StunPacket::Parse(std::span<const std::uint8_t>(response.data(), got));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->Class(), rtc::stun::StunClass::kSuccessResponse);
    EXPECT_TRUE(parsed->CheckIntegrity(local_pwd));
  }
  const auto stats = sfu_->Stats();
  std::printf("handed off between workers: %llu\n",
              static_cast<unsigned long long>(stats.handed_off));
}

TEST_F(WorkerTest, GarbageDatagramsAreCountedAndDropped) {
  ASSERT_TRUE(JoinBlocking(1, one, ReadOffer("chromium-offer.sdp")).ok);
  const int fd = ClientSocket();
  std::array<std::uint8_t, 300> junk{};
  for (int round = 0; round < 50; ++round) {
    for (std::size_t i = 0; i < junk.size(); ++i) {
      junk[i] = static_cast<std::uint8_t>(i * 131 + static_cast<std::size_t>(round) * 7);
    }
    junk[0] = static_cast<std::uint8_t>(round % 4 == 0 ? 0x00 : round % 4 == 1 ? 0x16 : 0x80);
    ASSERT_GT(::send(fd, junk.data(), 20 + static_cast<std::size_t>(round) * 5, 0), 0);
  }
  EXPECT_TRUE(
      WaitStats([](const SfuStats& s) { return s.dropped_malformed + s.dropped_unknown >= 50; }));
  EXPECT_EQ(sfu_->Stats().forwarded, 0u);
  EXPECT_EQ(sfu_->RoomSnapshot("stream-1").size(), 1u) << "the call is undisturbed";
}

TEST_F(WorkerTest, BadOfferIsRefusedWithTheSdpCode) {
  const JoinResult result = JoinBlocking(1, one, "v=0\r\nthis is not sdp\r\n");
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error_code.rfind("sdp_", 0), 0u) << result.error_code;
}

TEST_F(WorkerTest, MuteKickReplaceAndLeave) {
  const std::string offer = ReadOffer("chromium-offer.sdp");
  const JoinResult first = JoinBlocking(1, one, offer);
  ASSERT_TRUE(first.ok);
  ASSERT_TRUE(JoinBlocking(2, two, offer).ok);
  EXPECT_TRUE(one.WaitFor([](const SfuEvent& e) {
    const auto* m = std::get_if<MemberEvent>(&e);
    return m && m->kind == MemberEvent::Kind::kJoined && m->member.user_id == 2;
  }));

  sfu_->SetMuted("stream-1", 2, true, /*by_host=*/true);
  EXPECT_TRUE(one.WaitFor([](const SfuEvent& e) {
    const auto* m = std::get_if<MutedEvent>(&e);
    return m && m->user_id == 2 && m->muted && m->by == MutedBy::kHost;
  }));
  const auto members = sfu_->RoomSnapshot("stream-1");
  ASSERT_EQ(members.size(), 2u);
  for (const auto& m : members) {
    if (m.user_id == 2) {
      EXPECT_TRUE(m.muted);
      EXPECT_EQ(m.muted_by, MutedBy::kHost);
    }
  }

  // Reconnect of user 1 replaces the first participant; the old connection's Leave is ignored.
  const JoinResult second = JoinBlocking(1, one_again, offer);
  ASSERT_TRUE(second.ok);
  EXPECT_TRUE(
      one.WaitFor([](const SfuEvent& e) { return IsRemoved(e, RemovalReason::kReplaced); }));
  sfu_->Leave("stream-1", 1, first.participant_id);
  EXPECT_EQ(sfu_->RoomSnapshot("stream-1").size(), 2u);

  sfu_->Kick("stream-1", 2, "be nice");
  EXPECT_TRUE(two.WaitFor([](const SfuEvent& e) {
    const auto* r = std::get_if<RemovedEvent>(&e);
    return r && r->reason == RemovalReason::kKicked && r->message == "be nice";
  }));
  sfu_->Leave("stream-1", 1, second.participant_id);
  EXPECT_TRUE(
      one_again.WaitFor([](const SfuEvent& e) { return IsRemoved(e, RemovalReason::kLeft); }));
  EXPECT_TRUE(WaitStats([](const SfuStats& s) { return s.participants == 0 && s.rooms == 0; }));
}

TEST_F(WorkerTest, PinsSetBeforeAnyoneJoinsApplyAndOutliveAnEmptyRoom) {
  // Who is pinned, per member of stream-1 (SetPinned and the snapshot queue on the same worker).
  const auto pins = [this] {
    std::map<std::int64_t, bool> out;
    for (const auto& m : sfu_->RoomSnapshot("stream-1")) out[m.user_id] = m.pinned;
    return out;
  };
  using Pins = std::map<std::int64_t, bool>;
  sfu_->SetPinned("stream-1", {2, 42});
  const std::string offer = ReadOffer("chromium-offer.sdp");
  const JoinResult first = JoinBlocking(1, one, offer);
  ASSERT_TRUE(first.ok);
  const JoinResult second = JoinBlocking(2, two, offer);
  ASSERT_TRUE(second.ok);
  EXPECT_EQ(pins(), (Pins{{1, false}, {2, true}}));
  sfu_->SetPinned("stream-1", {1});
  EXPECT_EQ(pins(), (Pins{{1, true}, {2, false}}));

  // Everyone leaves, the worker drops the room; the pins stay for the next join.
  sfu_->Leave("stream-1", 1, first.participant_id);
  sfu_->Leave("stream-1", 2, second.participant_id);
  EXPECT_TRUE(WaitStats([](const SfuStats& s) { return s.participants == 0 && s.rooms == 0; }));
  ASSERT_TRUE(JoinBlocking(1, one_again, offer).ok);
  EXPECT_EQ(pins(), (Pins{{1, true}}));
  sfu_->SetPinned("stream-1", {});
  EXPECT_EQ(pins(), (Pins{{1, false}}));
}

}  // namespace
}  // namespace chorus::sfu
