// ICE-TCP through a running Sfu on loopback (two workers, one TCP port with SO_REUSEPORT): framed
// STUN checks over TCP get framed responses whichever worker the kernel gave the connection to
// (the connection moves to the participant's worker), a bad first frame, an oversize LENGTH and a
// silent connection are closed, the connection limit refuses the extra connection, and leaving
// closes the participant's connection.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "Sfu.hpp"
#include "rtc/Rfc4571Framer.hpp"
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

// A TCP client of the SFU's ICE-TCP port that speaks RFC 4571 frames.
class TcpClient {
 public:
  explicit TcpClient(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0;
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~TcpClient() { ::close(fd_); }
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;

  bool Connected() const { return connected_; }

  // The client's own address, as the server sees it (for XOR-MAPPED-ADDRESS).
  rtc::TransportAddress LocalAddress() const {
    sockaddr_storage local{};
    socklen_t len = sizeof(local);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len);
    return *rtc::TransportAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&local), len);
  }

  bool SendRaw(std::span<const std::uint8_t> bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  bool SendFrame(std::span<const std::uint8_t> payload) {
    std::vector<std::uint8_t> bytes(2 + payload.size());
    rtc::Rfc4571Framer::WriteHeader(payload.size(), std::span<std::uint8_t, 2>(bytes.data(), 2));
    std::copy(payload.begin(), payload.end(), bytes.begin() + 2);
    return SendRaw(bytes);
  }

  // The next frame within `timeout`; nullopt on timeout or when the server closed.
  std::optional<std::vector<std::uint8_t>> ReceiveFrame(std::chrono::milliseconds timeout = 2s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      std::span<std::uint8_t> frame;
      if (framer_.Next(&frame) == rtc::Rfc4571Framer::Status::kFrame) {
        return std::vector<std::uint8_t>(frame.begin(), frame.end());
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) != 1) return std::nullopt;
      const auto space = framer_.WritableSpan();
      const ssize_t n = ::recv(fd_, space.data(), space.size(), 0);
      if (n <= 0) {
        closed_ = true;
        return std::nullopt;
      }
      framer_.Commit(static_cast<std::size_t>(n));
    }
  }

  // True when the server closes the connection within `timeout` (frames before that are read
  // and discarded).
  bool WaitClosed(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!closed_ && std::chrono::steady_clock::now() < deadline) {
      ReceiveFrame(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
    }
    return closed_;
  }

 private:
  int fd_;
  bool connected_ = false;
  bool closed_ = false;
  rtc::Rfc4571Framer framer_{4096};
};

class TcpPathTest : public ::testing::Test {
 protected:
  void Start(SfuConfig config) {
    config.udp_port = 0;
    config.tcp_port = 0;
    config.bind = "127.0.0.1";
    config.workers = 2;
    sfu_ = Sfu::Start(config);
    ASSERT_NE(sfu_->TcpPort(), 0);
  }

  JoinResult JoinBlocking(std::int64_t user, const std::string& offer) {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<JoinResult> result;
    sfu_->Join({"stream-1", user, "user" + std::to_string(user), offer, true}, nullptr,
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
  bool WaitStats(Pred pred, std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred(sfu_->Stats())) return true;
      std::this_thread::sleep_for(5ms);  // polling a counter, bounded by the deadline
    }
    return pred(sfu_->Stats());
  }

  // A binding request from the browser of `offer` to the participant answered in `joined`.
  static std::vector<std::uint8_t> Check(const JoinResult& joined, const std::string& offer,
                                         std::uint8_t id_byte, bool use_candidate) {
    const std::string username =
        SdpAttribute(joined.answer_sdp, "ice-ufrag") + ":" + SdpAttribute(offer, "ice-ufrag");
    const std::string password = SdpAttribute(joined.answer_sdp, "ice-pwd");
    std::array<std::uint8_t, rtc::stun::kTransactionIdBytes> id{};
    id[0] = id_byte;
    id[1] = 0x7c;
    rtc::StunBindingRequestParams params;
    params.username = username;
    params.password = password;
    params.priority = 1520435199;
    params.tie_breaker = 42;
    params.use_candidate = use_candidate;
    std::vector<std::uint8_t> request(256);
    request.resize(rtc::StunWriter::WriteBindingRequest(request, id, params));
    return request;
  }

  void TearDown() override { sfu_.reset(); }

  std::unique_ptr<Sfu> sfu_;
};

TEST_F(TcpPathTest, FramedChecksGetFramedResponsesFromAnyWorker) {
  Start({});
  const std::string offer = ReadOffer("chromium-offer.sdp");
  const JoinResult joined = JoinBlocking(7, offer);
  ASSERT_TRUE(joined.ok) << joined.error_code << " " << joined.error_message;
  EXPECT_NE(joined.answer_sdp.find(" tcp 1520435199 127.0.0.1 " + std::to_string(sfu_->TcpPort()) +
                                   " typ host tcptype passive"),
            std::string::npos)
      << joined.answer_sdp;
  const std::string local_pwd = SdpAttribute(joined.answer_sdp, "ice-pwd");

  // Eight connections: the kernel spreads them over both listeners; the one that did not get
  // the participant's worker hands the connection over, and every check is answered on it.
  std::vector<std::unique_ptr<TcpClient>> clients;
  for (int i = 0; i < 8; ++i) {
    auto client = std::make_unique<TcpClient>(sfu_->TcpPort());
    ASSERT_TRUE(client->Connected());
    ASSERT_TRUE(client->SendFrame(Check(joined, offer, static_cast<std::uint8_t>(i + 1), i == 0)));
    const auto response = client->ReceiveFrame();
    ASSERT_TRUE(response) << "no framed STUN response on connection " << i;
    auto parsed = rtc::StunPacket::Parse(*response);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->Class(), rtc::stun::StunClass::kSuccessResponse);
    EXPECT_TRUE(parsed->CheckIntegrity(local_pwd));
    EXPECT_EQ(parsed->XorMappedAddress(), client->LocalAddress());
    // A second check on the now bound connection is answered too (consent).
    ASSERT_TRUE(client->SendFrame(Check(joined, offer, static_cast<std::uint8_t>(i + 101), false)));
    ASSERT_TRUE(client->ReceiveFrame()) << "no response to a consent check on connection " << i;
    clients.push_back(std::move(client));
  }
  const SfuStats stats = sfu_->Stats();
  EXPECT_EQ(stats.tcp_accepted, 8u);
  EXPECT_EQ(stats.tcp_connections, 8u);
  EXPECT_EQ(stats.tcp_frames_in, 16u);
  EXPECT_EQ(stats.tcp_frames_out, 16u);
  EXPECT_EQ(stats.packets_in, 0u) << "nothing went over UDP";
  std::printf("TCP connections handed to the owning worker: %llu of 8\n",
              static_cast<unsigned long long>(stats.tcp_handed_off));

  // Leaving closes the participant's connections.
  sfu_->Leave("stream-1", 7);
  for (auto& client : clients) EXPECT_TRUE(client->WaitClosed(2s));
  EXPECT_TRUE(WaitStats([](const SfuStats& s) { return s.tcp_connections == 0; }));
}

TEST_F(TcpPathTest, WrongPasswordGetsA401AndTheConnectionStaysUnbound) {
  SfuConfig config;
  config.tcp_bind_timeout = 300ms;
  Start(config);
  const std::string offer = ReadOffer("chromium-offer.sdp");
  JoinResult joined = JoinBlocking(7, offer);
  ASSERT_TRUE(joined.ok);
  joined.answer_sdp.replace(joined.answer_sdp.find("a=ice-pwd:") + 10, 4, "xxxx");
  TcpClient client(sfu_->TcpPort());
  ASSERT_TRUE(client.SendFrame(Check(joined, offer, 1, true)));
  const auto response = client.ReceiveFrame();
  ASSERT_TRUE(response);
  auto parsed = rtc::StunPacket::Parse(*response);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->Class(), rtc::stun::StunClass::kErrorResponse);
  // Never bound by a valid check: closed after the bind timeout.
  EXPECT_TRUE(client.WaitClosed(3s));
  EXPECT_TRUE(WaitStats([](const SfuStats& s) { return s.tcp_closed_unbound >= 1; }));
}

TEST_F(TcpPathTest, BadFirstFramesAndOversizeLengthsClose) {
  Start({});
  const std::string offer = ReadOffer("chromium-offer.sdp");
  const JoinResult joined = JoinBlocking(7, offer);
  ASSERT_TRUE(joined.ok);

  TcpClient dtls_first(sfu_->TcpPort());  // DTLS before any check
  const std::vector<std::uint8_t> hello = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
  ASSERT_TRUE(dtls_first.SendFrame(hello));
  EXPECT_TRUE(dtls_first.WaitClosed(2s));

  TcpClient unknown(sfu_->TcpPort());  // a check for a ufrag nobody has
  JoinResult stranger = joined;
  stranger.answer_sdp.replace(stranger.answer_sdp.find("a=ice-ufrag:") + 12, 4, "zzzz");
  ASSERT_TRUE(unknown.SendFrame(Check(stranger, offer, 1, true)));
  EXPECT_TRUE(unknown.WaitClosed(2s));

  TcpClient oversize(sfu_->TcpPort());  // LENGTH 0xFFFF is above the SFU's frame limit
  const std::vector<std::uint8_t> header = {0xFF, 0xFF, 0x00, 0x01};
  ASSERT_TRUE(oversize.SendRaw(header));
  EXPECT_TRUE(oversize.WaitClosed(2s));

  EXPECT_TRUE(WaitStats([](const SfuStats& s) {
    return s.tcp_closed_unbound == 2 && s.tcp_closed_oversize == 1 && s.tcp_connections == 0;
  }));

  // A bound connection that sends an oversize LENGTH is closed too.
  TcpClient bound(sfu_->TcpPort());
  ASSERT_TRUE(bound.SendFrame(Check(joined, offer, 9, true)));
  ASSERT_TRUE(bound.ReceiveFrame());
  ASSERT_TRUE(bound.SendRaw(header));
  EXPECT_TRUE(bound.WaitClosed(2s));
  EXPECT_TRUE(WaitStats([](const SfuStats& s) { return s.tcp_closed_oversize == 2; }));
  EXPECT_EQ(sfu_->RoomSnapshot("stream-1").size(), 1u) << "the participant stays";
}

TEST_F(TcpPathTest, SilentConnectionIsClosedAfterTheBindTimeout) {
  SfuConfig config;
  config.tcp_bind_timeout = 200ms;
  Start(config);
  TcpClient silent(sfu_->TcpPort());
  ASSERT_TRUE(silent.Connected());
  EXPECT_TRUE(silent.WaitClosed(3s));
  EXPECT_TRUE(WaitStats(
      [](const SfuStats& s) { return s.tcp_closed_unbound == 1 && s.tcp_connections == 0; }));
}

TEST_F(TcpPathTest, BoundConnectionIsClosedWhenChecksStop) {
  SfuConfig config;
  config.tcp_idle_timeout = std::chrono::seconds(1);
  Start(config);
  const std::string offer = ReadOffer("chromium-offer.sdp");
  const JoinResult joined = JoinBlocking(7, offer);
  ASSERT_TRUE(joined.ok);
  TcpClient client(sfu_->TcpPort());
  ASSERT_TRUE(client.SendFrame(Check(joined, offer, 1, true)));
  ASSERT_TRUE(client.ReceiveFrame());
  const auto bound_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.WaitClosed(4s));
  EXPECT_GE(std::chrono::steady_clock::now() - bound_at, 900ms);
  EXPECT_TRUE(WaitStats([](const SfuStats& s) { return s.tcp_closed_idle == 1; }));
}

TEST_F(TcpPathTest, ConnectionsBeyondTheLimitAreRefused) {
  SfuConfig config;
  config.tcp_max_connections = 2;
  Start(config);
  TcpClient first(sfu_->TcpPort()), second(sfu_->TcpPort());
  ASSERT_TRUE(WaitStats([](const SfuStats& s) { return s.tcp_accepted == 2; }));
  TcpClient third(sfu_->TcpPort());  // the kernel accepts it; the SFU closes it at once
  EXPECT_TRUE(third.WaitClosed(2s));
  EXPECT_TRUE(
      WaitStats([](const SfuStats& s) { return s.tcp_refused == 1 && s.tcp_connections == 2; }));
}

TEST_F(TcpPathTest, ZeroMaxConnectionsTurnsIceTcpOff) {
  SfuConfig config;
  config.udp_port = 0;
  config.bind = "127.0.0.1";
  config.workers = 1;
  config.tcp_max_connections = 0;
  sfu_ = Sfu::Start(config);
  EXPECT_EQ(sfu_->TcpPort(), 0);
  const JoinResult joined = JoinBlocking(7, ReadOffer("chromium-offer.sdp"));
  ASSERT_TRUE(joined.ok);
  EXPECT_EQ(joined.answer_sdp.find(" tcp "), std::string::npos);
}

}  // namespace
}  // namespace chorus::sfu
