// net::TcpServer and net::TcpConnection without a Sfu: the bounded send buffer drops (and never
// splits) frames when full, and the TCP packet path — read, RFC 4571 deframing, the listener,
// queueing a framed reply, flushing — allocates nothing once a connection is up (counted with
// the operator new / malloc hooks of RoomAllocationTest.cpp).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "AllocationCounter.hpp"
#include "Sanitizers.hpp"
#include "net/TcpServer.hpp"

namespace chorus::net {
namespace {

using chorus::test::g_allocations;
using chorus::test::g_c_allocations;
using chorus::test::g_counting;
using Clock = std::chrono::steady_clock;

TEST(TcpConnectionTest, FullSendBufferDropsWholeFramesAndKeepsTheStreamIntact) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  // A small kernel buffer, so the connection's own buffer is what fills up.
  const int small = 4096;
  ::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
  const auto path = rtc::TransportAddress::FromIpv4({127, 0, 0, 1}, 5000).WithConnection(9);
  TcpConnection connection(fds[0], path, 1500, 0, Clock::now());
  std::vector<std::uint8_t> payload(1000);
  std::size_t queued = 0;
  for (; queued < 1000; ++queued) {
    payload[0] = static_cast<std::uint8_t>(queued);
    if (!connection.QueueFrame(payload)) break;
  }
  EXPECT_EQ(queued, (2 + 0xFFFFu) / 1002u) << "the buffer holds at least one maximum frame";
  EXPECT_EQ(connection.Flush(), TcpConnection::FlushResult::kPending);  // the peer reads nothing
  // Read everything on the other side while flushing: whole frames, in order, none split.
  rtc::Rfc4571Framer framer(1500);
  std::size_t received = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (received < queued && Clock::now() < deadline) {
    connection.Flush();
    const auto space = framer.WritableSpan();
    const ssize_t n = ::recv(fds[1], space.data(), space.size(), MSG_DONTWAIT);
    if (n > 0) framer.Commit(static_cast<std::size_t>(n));
    std::span<std::uint8_t> frame;
    while (framer.Next(&frame) == rtc::Rfc4571Framer::Status::kFrame) {
      ASSERT_EQ(frame.size(), 1000u);
      EXPECT_EQ(frame[0], static_cast<std::uint8_t>(received));
      ++received;
    }
  }
  EXPECT_EQ(received, queued);
  EXPECT_EQ(connection.Flush(), TcpConnection::FlushResult::kDone);
  ::close(fds[1]);
}

// Echoes every frame back on its connection.
class EchoListener : public TcpServer::Listener {
 public:
  explicit EchoListener(TcpServer& server) : server_(server) {}
  TcpServer::Verdict OnTcpFrame(TcpConnection& connection, std::span<std::uint8_t> frame,
                                Clock::time_point now, std::size_t*) override {
    connection.MarkAlive(now);
    server_.Send(connection.Path(), frame);
    ++frames;
    return TcpServer::Verdict::kKeep;
  }
  void OnTcpClosed(const rtc::TransportAddress&) override { ++closed; }
  void OnTcpHandOff(TcpHandoff, std::size_t) override {}
  std::size_t frames = 0, closed = 0;

 private:
  TcpServer& server_;
};

TEST(TcpServerTest, EchoPathAllocatesNothingAfterTheConnectionIsUp) {
  std::atomic<std::size_t> open{0};
  std::string error;
  auto server =
      TcpServer::Open(*rtc::TransportAddress::FromString("127.0.0.1", 0), {}, open, &error);
  ASSERT_TRUE(server) << error;
  EchoListener listener(*server);
  server->SetListener(&listener);

  const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;  // each piece leaves at once (no Nagle wait for the previous one's ACK)
  ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server->LocalPort());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);

  // One server round: wait until its epoll set is ready, then read, deliver and flush.
  const auto round = [&](bool count) {
    pollfd pfd{server->Fd(), POLLIN, 0};
    if (::poll(&pfd, 1, 2000) != 1) return false;
    g_counting = count;
    server->OnReadable(Clock::now());
    server->Flush();
    g_counting = false;
    return true;
  };
  ASSERT_TRUE(round(false));  // accept
  ASSERT_EQ(open.load(), 1u);

  std::array<std::uint8_t, 2 + 160> packet{};
  rtc::Rfc4571Framer::WriteHeader(160, std::span<std::uint8_t, 2>(packet.data(), 2));
  std::array<std::uint8_t, 4096> echo{};
  const auto exchange = [&](int n, bool count) {
    for (int i = 0; i < n; ++i) {
      packet[2] = static_cast<std::uint8_t>(i);
      // Half the packets go in two pieces: a frame split across reads.
      if (i % 2 == 0) {
        ASSERT_EQ(::send(client, packet.data(), packet.size(), 0),
                  static_cast<ssize_t>(packet.size()));
      } else {
        ASSERT_EQ(::send(client, packet.data(), 50, 0), 50);
        ASSERT_TRUE(round(count));
        ASSERT_EQ(::send(client, packet.data() + 50, packet.size() - 50, 0),
                  static_cast<ssize_t>(packet.size() - 50));
      }
      ASSERT_TRUE(round(count));
      std::size_t got = 0;
      while (got < packet.size()) {
        const ssize_t r = ::recv(client, echo.data() + got, echo.size() - got, 0);
        ASSERT_GT(r, 0);
        got += static_cast<std::size_t>(r);
      }
      ASSERT_EQ(got, packet.size());
      ASSERT_EQ(std::memcmp(echo.data(), packet.data(), packet.size()), 0);
    }
  };
  exchange(50, false);  // warm-up
  g_allocations = 0;
  g_c_allocations = 0;
  exchange(500, true);
  EXPECT_EQ(g_allocations.load(), 0u) << "operator new on the TCP packet path";
  EXPECT_EQ(g_c_allocations.load(), 0u) << "malloc on the TCP packet path";
  EXPECT_EQ(listener.frames, 550u);
  EXPECT_EQ(server->Counters().frames_out.load(), 550u);

  ::close(client);
  ASSERT_TRUE(round(false));
  EXPECT_EQ(listener.closed, 1u);
  EXPECT_EQ(open.load(), 0u);
  EXPECT_EQ(server->Counters().closed_peer.load(), 1u);
}

TEST(TcpServerTest, SendToAConnectionThatIsGoneIsCountedAsDropped) {
  std::atomic<std::size_t> open{0};
  std::string error;
  auto server =
      TcpServer::Open(*rtc::TransportAddress::FromString("127.0.0.1", 0), {}, open, &error);
  ASSERT_TRUE(server) << error;
  const auto path = rtc::TransportAddress::FromIpv4({127, 0, 0, 1}, 5000).WithConnection(12345);
  const std::array<std::uint8_t, 3> bytes{1, 2, 3};
  EXPECT_FALSE(server->Send(path, bytes));
  EXPECT_EQ(server->Counters().send_dropped.load(), 1u);
}

TEST(TcpServerTest, OutOfDescriptorsPausesAcceptingInsteadOfSpinning) {
  // With no descriptor left the sanitizer runtime cannot check memory (it probes with a pipe) nor
  // write its report, and flags valid objects (spdlog's shared_ptr) as having a bad vptr.
  if (CHORUS_UNDER_SANITIZER) GTEST_SKIP() << "takes away the descriptors sanitizers need";
  std::atomic<std::size_t> open{0};
  std::string error;
  auto server =
      TcpServer::Open(*rtc::TransportAddress::FromString("127.0.0.1", 0), {}, open, &error);
  ASSERT_TRUE(server) << error;
  EchoListener listener(*server);
  server->SetListener(&listener);
  const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server->LocalPort());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  pollfd pfd{server->Fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 2000), 1);

  // No descriptor left: the lowest free one becomes the limit.
  const int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(probe, 0);
  ::close(probe);
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(probe);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  const auto t0 = Clock::now();
  server->OnReadable(t0);                         // accept4 fails with EMFILE
  const bool paused = ::poll(&pfd, 1, 100) == 0;  // not readable while paused
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  EXPECT_TRUE(paused) << "the listener must not stay readable (the worker would spin)";
  EXPECT_EQ(server->ConnectionCount(), 0u);

  server->Expire(t0 + std::chrono::milliseconds(300));  // resumes accepting
  ASSERT_EQ(::poll(&pfd, 1, 2000), 1);
  server->OnReadable(Clock::now());
  EXPECT_EQ(server->ConnectionCount(), 1u);
  EXPECT_EQ(server->Counters().accepted.load(), 1u);
  ::close(client);
}

}  // namespace
}  // namespace chorus::net
