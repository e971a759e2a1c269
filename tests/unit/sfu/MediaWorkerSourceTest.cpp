// Source addresses of a media worker bound to 0.0.0.0 on a host with several addresses (here
// 127.0.0.1 and 127.0.0.2, both local on lo): an ICE check sent to 127.0.0.2 gets its response
// from 127.0.0.2 — also when another worker received it and handed it over — and everything the
// worker sends to that remote later (forwarded audio) leaves from the address the remote last
// sent to, without allocating per packet. Strict ICE agents drop a response from another address
// (RFC 8445 §7.2.5.2.1).
#include <gtest/gtest.h>

#include <array>
#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "AllocationCounter.hpp"
#include "LoopbackClient.hpp"
#include "MediaWorker.hpp"
#include "RoomTestPeer.hpp"
#include "Sfu.hpp"
#include "rtc/DtlsContext.hpp"
#include "rtc/StunPacket.hpp"
#include "rtc/StunWriter.hpp"

namespace chorus::sfu {
namespace {

using namespace std::chrono_literals;
using chorus::test::Address;
using chorus::test::g_allocations;
using chorus::test::g_c_allocations;
using chorus::test::g_counting;
using chorus::test::LoopbackClient;
using rtc::TransportAddress;

// A Binding request as the browser `options` describe sends it to the server (controlling).
std::vector<std::uint8_t> BindingRequest(const std::string& local_ufrag,
                                         const std::string& remote_ufrag,
                                         const std::string& local_pwd, std::uint8_t id_byte,
                                         bool use_candidate) {
  std::array<std::uint8_t, 256> buffer{};
  std::array<std::uint8_t, rtc::stun::kTransactionIdBytes> id{};
  id[0] = id_byte;
  const std::string username = local_ufrag + ":" + remote_ufrag;
  rtc::StunBindingRequestParams params;
  params.username = username;
  params.password = local_pwd;
  params.priority = 100;
  params.tie_breaker = 42;
  params.use_candidate = use_candidate;
  const auto n = rtc::StunWriter::WriteBindingRequest(buffer, id, params);
  EXPECT_GT(n, 0u);
  return {buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n)};
}

// Waits for the response to a check on `client`: a success response keyed with `pwd`, from
// `expected_source`. Media datagrams queued before it are skipped: the worker counts a packet as
// forwarded when it queues it and sends its batch at the end of the loop turn, so under load
// audio from the previous step can still be arriving (RTP/RTCP never start with 0b00, STUN does).
void ExpectSuccessFrom(LoopbackClient& client, const std::string& pwd,
                       const TransportAddress& expected_source) {
  std::array<std::uint8_t, 2048> buffer{};
  TransportAddress from;
  std::size_t n = 0;
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while ((n = client.ReceiveInto(buffer, &from)) > 0 && (buffer[0] & 0xC0) != 0) {
    if (std::chrono::steady_clock::now() > deadline) break;
  }
  ASSERT_GT(n, 0u) << "no STUN response";
  ASSERT_EQ(buffer[0] & 0xC0, 0) << "only media arrived, no STUN response";
  const auto parsed = rtc::StunPacket::Parse(std::span<const std::uint8_t>(buffer.data(), n));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->Class(), rtc::stun::StunClass::kSuccessResponse);
  EXPECT_TRUE(parsed->CheckIntegrity(pwd));
  EXPECT_EQ(from, expected_source)
      << "response from " << from.ToString() << ", sent to " << expected_source.ToString();
}

// Reads whatever is pending on `client` (waiting up to `timeout_ms` for each datagram); counts
// the datagrams and those that came from somewhere other than `expected_source`. Allocates
// nothing.
struct Drained {
  std::size_t datagrams = 0;
  std::size_t from_elsewhere = 0;
};
Drained Drain(LoopbackClient& client, const TransportAddress& expected_source, int timeout_ms) {
  Drained drained;
  std::array<std::uint8_t, 2048> buffer{};
  TransportAddress from;
  while (client.ReceiveInto(buffer, &from, timeout_ms) > 0) {
    ++drained.datagrams;
    if (!(from == expected_source)) ++drained.from_elsewhere;
  }
  return drained;
}

// One MediaWorker on its own thread with a socket bound to 0.0.0.0, two participants whose
// browsers are real loopback sockets on 127.0.0.1 (keys installed directly, as in room tests).
class MediaWorkerSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    auto socket = net::UdpSocket::Open(Address("0.0.0.0", 0), false, &error);
    ASSERT_TRUE(socket) << error;
    ASSERT_TRUE(socket->ChoosesSourceAddress());
    port_ = socket->LocalPort();
    RoomOptions options;
    options.audio_slots = 2;
    workers_.push_back(std::make_unique<MediaWorker>(0, 1, std::move(socket), nullptr, workers_,
                                                     routes_, rtc::DtlsContext::Create(), options));
    worker_ = workers_[0].get();
    worker_->Start();
  }

  void TearDown() override {
    if (worker_) worker_->Stop();
    workers_.clear();
  }

  // Runs `task` on the worker thread and waits for it.
  template <typename Task>
  void OnWorker(Task task) {
    std::promise<void> done;
    auto finished = done.get_future();
    ASSERT_TRUE(worker_->Post([&] {
      task();
      done.set_value();
    }));
    ASSERT_EQ(finished.wait_for(2s), std::future_status::ready);
  }

  std::uint64_t Forwarded() const { return worker_->Counters().forwarded.load(); }

  // Waits until the worker forwarded `count` packets in total (bounded by a deadline).
  bool WaitForwarded(std::uint64_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (Forwarded() < count) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(1ms);  // polling a counter, bounded by the deadline
    }
    return true;
  }

  RouteTable routes_;
  std::vector<std::unique_ptr<MediaWorker>> workers_;
  MediaWorker* worker_ = nullptr;
  std::uint16_t port_ = 0;
};

TEST_F(MediaWorkerSourceTest, RepliesAndForwardedAudioLeaveFromTheAddressTheRemoteSentTo) {
  LoopbackClient browser_a(Address("127.0.0.1", 0));
  LoopbackClient browser_b(Address("127.0.0.1", 0));
  test::FakePeer a(1, browser_a.Address().Port(), 2);
  test::FakePeer b(2, browser_b.Address().Port(), 2);
  const TransportAddress primary = Address("127.0.0.1", port_);
  const TransportAddress secondary = Address("127.0.0.2", port_);

  OnWorker([&] {
    Room& room = worker_->RoomFor("stream-1");
    worker_->RegisterParticipant(room, a.Join(room, test::Clock::now()));
    worker_->RegisterParticipant(room, b.Join(room, test::Clock::now()));
  });
  // Join's own checks went around the worker's demux: their responses carry no known arrival
  // address and leave from the kernel's choice.
  EXPECT_EQ(Drain(browser_a, primary, 200).from_elsewhere, 0u);
  EXPECT_EQ(Drain(browser_b, primary, 200).from_elsewhere, 0u);

  // Real checks to the second address: answered from it.
  std::uint8_t id = 1;
  for (auto* peer : {&a, &b}) {
    auto& browser = peer == &a ? browser_a : browser_b;
    const auto& o = peer->Options();
    ASSERT_TRUE(browser.SendTo(
        secondary, BindingRequest(o.local_ufrag, o.remote_ufrag, o.local_pwd, id++, true)));
    ExpectSuccessFrom(browser, o.local_pwd, secondary);
  }

  // A's audio forwarded to B leaves from 127.0.0.2, where B's datagrams arrive (not a reply to
  // anything B sent: the worker remembered it). Packets are built before counting.
  constexpr int kWarmUp = 50, kMeasured = 400, kChunk = 25;
  std::vector<std::array<std::uint8_t, 1500>> packets(kWarmUp + kMeasured + kChunk);
  std::vector<std::size_t> lengths(packets.size());
  for (std::size_t i = 0; i < packets.size(); ++i) lengths[i] = a.MakePacket(10, packets[i]);
  std::size_t next = 0;
  const auto send_chunk = [&](int count) {
    for (int i = 0; i < count; ++i, ++next) {
      if (!browser_a.SendTo(secondary, std::span(packets[next].data(), lengths[next]))) return;
      std::this_thread::sleep_for(1ms);  // a paced stream, not a burst
    }
  };
  send_chunk(kWarmUp);
  ASSERT_TRUE(WaitForwarded(1)) << "A's audio never reached B";
  const Drained warm = Drain(browser_b, secondary, 100);
  EXPECT_GT(warm.datagrams, 0u);
  EXPECT_EQ(warm.from_elsewhere, 0u) << "forwarded audio left from another address";

  // The worker's whole packet path — receive with the arrival address, demux, the remembered
  // source, forward, send with IP_PKTINFO — allocates nothing.
  if (CHORUS_COUNTING_ALLOCATIONS) {
    const std::uint64_t forwarded_before = Forwarded();
    Drained measured;
    g_allocations = 0;
    g_c_allocations = 0;
    g_counting = true;
    for (int sent = 0; sent < kMeasured; sent += kChunk) {
      send_chunk(kChunk);
      WaitForwarded(forwarded_before + static_cast<std::uint64_t>(sent + kChunk));
      const Drained chunk = Drain(browser_b, secondary, 5);
      measured.datagrams += chunk.datagrams;
      measured.from_elsewhere += chunk.from_elsewhere;
    }
    g_counting = false;
    EXPECT_EQ(g_allocations.load(), 0u) << "operator new on the worker's packet path";
    EXPECT_EQ(g_c_allocations.load(), 0u) << "malloc on the worker's packet path";
    EXPECT_GE(Forwarded() - forwarded_before, static_cast<std::uint64_t>(kMeasured));
    EXPECT_GT(measured.datagrams, 0u);
    EXPECT_EQ(measured.from_elsewhere, 0u);
  }

  // B now sends to 127.0.0.1: the response and, from then on, B's audio come from there.
  const auto& ob = b.Options();
  ASSERT_TRUE(browser_b.SendTo(
      primary, BindingRequest(ob.local_ufrag, ob.remote_ufrag, ob.local_pwd, id++, true)));
  ExpectSuccessFrom(browser_b, ob.local_pwd, primary);
  const std::uint64_t before_switch = Forwarded();
  send_chunk(kChunk);
  ASSERT_TRUE(WaitForwarded(before_switch + 1));
  const Drained switched = Drain(browser_b, primary, 100);
  EXPECT_GT(switched.datagrams, 0u);
  EXPECT_EQ(switched.from_elsewhere, 0u) << "B's audio still leaves from 127.0.0.2";
}

// Collects a participant's events (they arrive on a worker thread).
struct EventLog {
  std::mutex mu;
  std::vector<SfuEvent> events;
  EventSink Sink() {
    return [this](const SfuEvent& e) {
      std::lock_guard lock(mu);
      events.push_back(e);
    };
  }
};

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

// The whole engine: two workers on 0.0.0.0 sharing the port. Checks to 127.0.0.2 from many source
// ports land on both workers (SO_REUSEPORT); the owner answers each from 127.0.0.2, including
// those another worker received and handed over.
TEST(SfuSourceAddressTest, IceChecksToASecondAddressAreAnsweredFromIt) {
  EventLog log;
  SfuConfig config;
  config.udp_port = 0;
  config.bind = "0.0.0.0";
  config.workers = 2;
  config.audio_slots = 4;
  auto sfu = Sfu::Start(config);
  ASSERT_NE(sfu->UdpPort(), 0);

  const std::string offer = ReadOffer("chromium-offer.sdp");
  std::mutex mu;
  std::condition_variable cv;
  std::optional<JoinResult> joined;
  sfu->Join({"stream-1", 7, "user7", offer, true}, log.Sink(), [&](JoinResult r) {
    std::lock_guard lock(mu);
    joined = std::move(r);
    cv.notify_all();
  });
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 2s, [&] { return joined.has_value(); }));
  }
  ASSERT_TRUE(joined->ok) << joined->error_code << " " << joined->error_message;
  const std::string local_ufrag = SdpAttribute(joined->answer_sdp, "ice-ufrag");
  const std::string local_pwd = SdpAttribute(joined->answer_sdp, "ice-pwd");
  const std::string remote_ufrag = SdpAttribute(offer, "ice-ufrag");
  ASSERT_FALSE(local_ufrag.empty());

  const TransportAddress secondary = Address("127.0.0.2", sfu->UdpPort());
  const TransportAddress primary = Address("127.0.0.1", sfu->UdpPort());
  // Until at least one check went through a handoff (each new source port lands on the owner's
  // socket with probability 1/2), and at least 8.
  for (int i = 0; i < 64 && (i < 8 || sfu->Stats().handed_off == 0); ++i) {
    LoopbackClient browser(Address("127.0.0.1", 0));
    ASSERT_TRUE(
        browser.SendTo(secondary, BindingRequest(local_ufrag, remote_ufrag, local_pwd,
                                                 static_cast<std::uint8_t>(i + 1), i == 0)));
    ExpectSuccessFrom(browser, local_pwd, secondary);
    if (HasFailure()) return;
  }
  EXPECT_GT(sfu->Stats().handed_off, 0u) << "no check went through the handoff ring";
  // The same browser socket checking the first address is answered from that one.
  LoopbackClient browser(Address("127.0.0.1", 0));
  ASSERT_TRUE(
      browser.SendTo(primary, BindingRequest(local_ufrag, remote_ufrag, local_pwd, 99, false)));
  ExpectSuccessFrom(browser, local_pwd, primary);
  ASSERT_TRUE(
      browser.SendTo(secondary, BindingRequest(local_ufrag, remote_ufrag, local_pwd, 100, false)));
  ExpectSuccessFrom(browser, local_pwd, secondary);
}

}  // namespace
}  // namespace chorus::sfu
