// TransportAddress: parsing, formatting, equality and hashing.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <unordered_set>

#include "rtc/TransportAddress.hpp"

namespace chorus::rtc {
namespace {

TEST(TransportAddressTest, ParsesAndFormats) {
  const auto v4 = TransportAddress::FromString("127.0.0.1", 40000);
  ASSERT_TRUE(v4.has_value());
  EXPECT_TRUE(v4->IsIpv4());
  EXPECT_EQ(v4->Port(), 40000);
  EXPECT_EQ(v4->ToString(), "127.0.0.1:40000");
  EXPECT_EQ(v4->SockaddrLength(), sizeof(sockaddr_in));

  const auto v6 = TransportAddress::FromString("::1", 1);
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->IsIpv6());
  EXPECT_EQ(v6->ToString(), "[::1]:1");

  EXPECT_FALSE(TransportAddress::FromString("", 1).has_value());
  EXPECT_FALSE(TransportAddress::FromString("localhost", 1).has_value());
  EXPECT_FALSE(TransportAddress::FromString("1.2.3.256", 1).has_value());
  EXPECT_FALSE(TransportAddress::FromString(std::string(100, '1'), 1).has_value());
  EXPECT_FALSE(TransportAddress{}.IsValid());
  EXPECT_EQ(TransportAddress{}.ToString(), "unspecified");
}

TEST(TransportAddressTest, FromSockaddr) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(1234);
  in.sin_addr.s_addr = htonl(0x0a4e0001);
  const auto address =
      TransportAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&in), sizeof(in));
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->ToString(), "10.78.0.1:1234");
  EXPECT_FALSE(
      TransportAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&in), sizeof(in) - 1));
  sockaddr unknown{};
  unknown.sa_family = AF_UNIX;
  EXPECT_FALSE(TransportAddress::FromSockaddr(&unknown, sizeof(unknown)).has_value());
  EXPECT_FALSE(TransportAddress::FromSockaddr(nullptr, 0).has_value());
}

TEST(TransportAddressTest, EqualityAndHash) {
  const auto a = *TransportAddress::FromString("10.0.0.1", 5000);
  const auto same = *TransportAddress::FromString("10.0.0.1", 5000);
  const auto other_port = *TransportAddress::FromString("10.0.0.1", 5001);
  const auto other_ip = *TransportAddress::FromString("10.0.0.2", 5000);
  const auto mapped_v6 = *TransportAddress::FromString("::ffff:10.0.0.1", 5000);
  EXPECT_EQ(a, same);
  EXPECT_NE(a, other_port);
  EXPECT_NE(a, other_ip);
  EXPECT_NE(a, mapped_v6);
  EXPECT_EQ(a.Hash(), same.Hash());
  std::unordered_set<TransportAddress> set{a, same, other_port, other_ip, mapped_v6};
  EXPECT_EQ(set.size(), 4u);
}

TEST(TransportAddressTest, TcpConnectionTagMakesADistinctPath) {
  const auto udp = *TransportAddress::FromString("10.0.0.1", 5000);
  const auto tcp = udp.WithConnection(7);
  EXPECT_FALSE(udp.IsTcp());
  EXPECT_TRUE(tcp.IsTcp());
  EXPECT_EQ(tcp.ConnectionId(), 7u);
  EXPECT_EQ(tcp.Port(), 5000);
  EXPECT_NE(udp, tcp);  // the same IP and port over UDP and over a TCP connection
  EXPECT_NE(tcp, udp.WithConnection(8));
  EXPECT_EQ(tcp, udp.WithConnection(7));
  EXPECT_EQ(tcp.WithConnection(0), udp);
  EXPECT_NE(udp.Hash(), tcp.Hash());
  EXPECT_EQ(tcp.ToString(), "10.0.0.1:5000/tcp#7");
  std::unordered_set<TransportAddress> set{udp, tcp, udp.WithConnection(7), udp.WithConnection(8)};
  EXPECT_EQ(set.size(), 3u);
}

}  // namespace
}  // namespace chorus::rtc
