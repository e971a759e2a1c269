// UdpSocket on loopback: a socket bound to a wildcard address reports the local address each
// datagram arrived on and sends a reply from it (IP_PKTINFO / IPV6_PKTINFO); without a source the
// kernel picks one by route, which on a host with several addresses is often another one (the
// bug strict ICE agents see). All of 127.0.0.0/8 is local on Linux's lo, so 127.0.0.2 stands in
// for a second address; IPv6 needs a second real address on the host and is skipped without one.
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>

#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "AllocationCounter.hpp"
#include "LoopbackClient.hpp"
#include "net/UdpSocket.hpp"

namespace chorus::net {
namespace {

using rtc::TransportAddress;

using test::Address;
using Client = test::LoopbackClient;

std::span<const std::uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Waits (up to 2 s) for datagrams on `socket`; returns how many ReceiveBatch() made ready.
std::size_t ReceiveSome(UdpSocket& socket) {
  pollfd pfd{socket.Fd(), POLLIN, 0};
  if (::poll(&pfd, 1, 2000) != 1) return 0;
  return socket.ReceiveBatch();
}

std::unique_ptr<UdpSocket> OpenOrFail(const TransportAddress& bind) {
  std::string error;
  auto socket = UdpSocket::Open(bind, false, &error);
  EXPECT_TRUE(socket) << error;
  return socket;
}

// A global (or unique-local) IPv6 address of this host other than ::1, to stand in for a second
// local address the way 127.0.0.2 does for IPv4; nullopt when the host has none.
std::optional<TransportAddress> SecondIpv6Address(std::uint16_t port) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return std::nullopt;
  std::optional<TransportAddress> found;
  for (ifaddrs* it = list; it != nullptr && !found; it = it->ifa_next) {
    if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET6) continue;
    if ((it->ifa_flags & IFF_UP) == 0 || (it->ifa_flags & IFF_LOOPBACK) != 0) continue;
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(it->ifa_addr);
    if (IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) continue;
    std::array<std::uint8_t, 16> ip{};
    std::memcpy(ip.data(), &in6->sin6_addr, ip.size());
    found = TransportAddress::FromIpv6(ip, port);
  }
  ::freeifaddrs(list);
  return found;
}

// The core of every case: `client` sends to `to` (a local address of the wildcard-bound
// `server`); the server must report `expected_local`, and its reply with that source must reach
// the client from `to`, while a reply without a source comes from `kernel_choice`.
void ExpectReplyFromArrivalAddress(UdpSocket& server, Client& client, const TransportAddress& to,
                                   const TransportAddress& expected_local,
                                   const TransportAddress& kernel_choice) {
  ASSERT_TRUE(client.SendTo(to, "check"));
  ASSERT_EQ(ReceiveSome(server), 1u);
  EXPECT_EQ(
      std::string(reinterpret_cast<const char*>(server.Data(0).data()), server.Data(0).size()),
      "check");
  const TransportAddress from = server.From(0);
  const TransportAddress local = server.LocalOf(0);
  EXPECT_EQ(local, expected_local) << local.ToString();

  ASSERT_TRUE(server.Queue(from, Bytes("with-source"), local));
  ASSERT_TRUE(server.Queue(from, Bytes("no-source")));
  EXPECT_EQ(server.Flush(), 2u);

  const auto with_source = client.Receive();
  ASSERT_TRUE(with_source);
  EXPECT_EQ(with_source->first, "with-source");
  EXPECT_EQ(with_source->second, to) << with_source->second.ToString();
  // Proof that the check above means something: the kernel's own choice is another address.
  const auto no_source = client.Receive();
  ASSERT_TRUE(no_source);
  EXPECT_EQ(no_source->first, "no-source");
  EXPECT_EQ(no_source->second, kernel_choice) << no_source->second.ToString();
  EXPECT_NE(kernel_choice, to);
}

TEST(UdpSocketTest, WildcardIpv4RepliesFromTheAddressTheRequestArrivedOn) {
  auto server = OpenOrFail(Address("0.0.0.0", 0));
  ASSERT_TRUE(server);
  EXPECT_TRUE(server->ChoosesSourceAddress());
  const std::uint16_t port = server->LocalPort();
  Client client(Address("127.0.0.1", 0));
  ExpectReplyFromArrivalAddress(*server, client, Address("127.0.0.2", port),
                                Address("127.0.0.2", port), Address("127.0.0.1", port));
  // And the other way round: a request to 127.0.0.1 is reported (and answered) as such.
  ASSERT_TRUE(client.SendTo(Address("127.0.0.1", port), "again"));
  ASSERT_EQ(ReceiveSome(*server), 1u);
  EXPECT_EQ(server->LocalOf(0), Address("127.0.0.1", port));
  EXPECT_EQ(server->From(0), client.Address());
}

TEST(UdpSocketTest, SpecificBindReportsNoLocalAddressAndIgnoresASource) {
  auto server = OpenOrFail(Address("127.0.0.1", 0));
  ASSERT_TRUE(server);
  EXPECT_FALSE(server->ChoosesSourceAddress());
  const std::uint16_t port = server->LocalPort();
  Client client(Address("127.0.0.1", 0));
  ASSERT_TRUE(client.SendTo(Address("127.0.0.1", port), "check"));
  ASSERT_EQ(ReceiveSome(*server), 1u);
  EXPECT_FALSE(server->LocalOf(0).IsValid());
  // A source is only honoured on a wildcard socket: here the datagram goes out as before.
  ASSERT_TRUE(server->Queue(server->From(0), Bytes("reply"), Address("127.0.0.2", port)));
  EXPECT_EQ(server->Flush(), 1u);
  const auto reply = client.Receive();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->second, Address("127.0.0.1", port));
  EXPECT_EQ(server->GetCounters().send_errors, 0u);
}

TEST(UdpSocketTest, DualStackSocketRepliesToIpv4PeersFromTheMappedArrivalAddress) {
  std::string error;
  auto server = UdpSocket::Open(Address("::", 0), false, &error);
  if (!server) GTEST_SKIP() << "no IPv6 socket: " << error;
  EXPECT_TRUE(server->ChoosesSourceAddress());
  const std::uint16_t port = server->LocalPort();
  Client client(Address("127.0.0.1", 0));
  // IPv4 peers of a dual-stack socket are IPv4-mapped addresses on both ends.
  ExpectReplyFromArrivalAddress(*server, client, Address("127.0.0.2", port),
                                Address("::ffff:127.0.0.2", port), Address("127.0.0.1", port));
}

TEST(UdpSocketTest, WildcardIpv6RepliesFromTheAddressTheRequestArrivedOn) {
  std::string error;
  auto server = UdpSocket::Open(Address("::", 0), false, &error);
  if (!server) GTEST_SKIP() << "no IPv6 socket: " << error;
  const std::uint16_t port = server->LocalPort();
  Client loopback(Address("::1", 0));
  ASSERT_TRUE(loopback.SendTo(Address("::1", port), "check"));
  ASSERT_EQ(ReceiveSome(*server), 1u);
  EXPECT_EQ(server->LocalOf(0), Address("::1", port));

  // ::1 is the only IPv6 loopback address: a second address must come from a real interface.
  const auto second = SecondIpv6Address(port);
  if (!second) GTEST_SKIP() << "the host has no IPv6 address besides ::1";
  ExpectReplyFromArrivalAddress(*server, loopback, *second, *second, Address("::1", port));
}

TEST(UdpSocketTest, ReceivingAndSendingWithSourcesAllocateNothing) {
  if (!CHORUS_COUNTING_ALLOCATIONS) GTEST_SKIP() << "allocation hooks are off under sanitizers";
  auto server = OpenOrFail(Address("0.0.0.0", 0));
  ASSERT_TRUE(server);
  const TransportAddress to = Address("127.0.0.2", server->LocalPort());
  Client client(Address("127.0.0.1", 0));
  constexpr int kRounds = 50;
  std::size_t echoed = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (std::size_t i = 0; i < UdpSocket::kBatch; ++i)
      ASSERT_TRUE(client.SendTo(to, "audio-frame"));
    pollfd pfd{server->Fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&pfd, 1, 2000), 1);
    test::g_allocations = 0;
    test::g_c_allocations = 0;
    test::g_counting = true;
    const std::size_t n = server->ReceiveBatch();
    for (std::size_t i = 0; i < n; ++i) {
      server->Queue(server->From(i), server->Data(i), server->LocalOf(i));
    }
    echoed += server->Flush();
    test::g_counting = false;
    ASSERT_EQ(test::g_allocations.load(), 0u) << "operator new in round " << round;
    ASSERT_EQ(test::g_c_allocations.load(), 0u) << "malloc in round " << round;
    for (std::size_t i = 0; i < n; ++i) {
      const auto reply = client.Receive();
      ASSERT_TRUE(reply);
      ASSERT_EQ(reply->second, to);
    }
    // Anything not received this round arrives in the next one.
  }
  EXPECT_GT(echoed, 0u);
  EXPECT_EQ(server->GetCounters().send_errors, 0u);
}

}  // namespace
}  // namespace chorus::net
