#include "http/TrustedProxies.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace chorus::http {
namespace {

namespace ip = boost::asio::ip;

Request WithHeaders(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  Request req{Verb::get, "/", 11};
  for (const auto& [name, value] : fields) req.insert(name, value);
  return req;
}

TEST(TrustedProxies, ParsesIpv4AndIpv6CidrsAndBareAddresses) {
  const TrustedProxies p(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8,::1");
  EXPECT_FALSE(p.Empty());
  EXPECT_TRUE(p.Contains(ip::make_address("10.255.1.2")));
  EXPECT_TRUE(p.Contains(ip::make_address("192.168.1.7")));
  EXPECT_FALSE(p.Contains(ip::make_address("192.168.1.8")));
  EXPECT_FALSE(p.Contains(ip::make_address("11.0.0.1")));
  EXPECT_TRUE(p.Contains(ip::make_address("fd12:3456::1")));
  EXPECT_TRUE(p.Contains(ip::make_address("::1")));
  EXPECT_FALSE(p.Contains(ip::make_address("2001:db8::1")));
  // An IPv4-mapped IPv6 peer (a dual-stack listener) is the IPv4 address.
  EXPECT_TRUE(p.Contains(ip::make_address("::ffff:10.1.2.3")));
}

TEST(TrustedProxies, HostBitsInACidrAreIgnored) {
  const TrustedProxies p("10.1.2.3/16");
  EXPECT_TRUE(p.Contains(ip::make_address("10.1.200.1")));
  EXPECT_FALSE(p.Contains(ip::make_address("10.2.0.1")));
}

TEST(TrustedProxies, EmptyListTrustsNobody) {
  const TrustedProxies p("");
  EXPECT_TRUE(p.Empty());
  EXPECT_FALSE(p.Contains(ip::make_address("127.0.0.1")));
  const TrustedProxies none(" , ");
  EXPECT_TRUE(none.Empty());
}

TEST(TrustedProxies, RefusesMalformedEntries) {
  for (auto bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "example.org", "10.0.0",
                   "10.0.0.0/8/8", "1.2.3.4/-1", "1.2.3.4/0008"}) {
    EXPECT_THROW(TrustedProxies{bad}, std::invalid_argument) << bad;
  }
}

TEST(TrustedProxies, UntrustedPeerIsTheClientWhateverItSends) {
  const TrustedProxies p("127.0.0.1/32");
  const auto req = WithHeaders({{"X-Forwarded-For", "203.0.113.9"}});
  EXPECT_EQ(p.ClientAddress(ip::make_address("198.51.100.4"), req), "198.51.100.4");
}

TEST(TrustedProxies, TrustedPeerNamesTheClientInXForwardedFor) {
  const TrustedProxies p("127.0.0.1/32");
  EXPECT_EQ(p.ClientAddress(ip::make_address("127.0.0.1"),
                            WithHeaders({{"X-Forwarded-For", "203.0.113.9"}})),
            "203.0.113.9");
  // Without a header the proxy itself is the client.
  EXPECT_EQ(p.ClientAddress(ip::make_address("127.0.0.1"), WithHeaders({})), "127.0.0.1");
}

TEST(TrustedProxies, RightMostUntrustedHopWinsSoClientsCannotSpoof) {
  const TrustedProxies p("127.0.0.1/32, 10.0.0.0/8");
  // The client wrote "1.1.1.1" itself; our proxies appended the real hops.
  const auto req = WithHeaders({{"X-Forwarded-For", "1.1.1.1, 203.0.113.9, 10.0.0.5"}});
  EXPECT_EQ(p.ClientAddress(ip::make_address("127.0.0.1"), req), "203.0.113.9");
  // Several field lines are one list, in order.
  const auto split =
      WithHeaders({{"X-Forwarded-For", "1.1.1.1"}, {"X-Forwarded-For", "203.0.113.9, 10.0.0.5"}});
  EXPECT_EQ(p.ClientAddress(ip::make_address("127.0.0.1"), split), "203.0.113.9");
  // Every hop trusted: the left-most one.
  const auto inner = WithHeaders({{"X-Forwarded-For", "10.9.9.9, 10.0.0.5"}});
  EXPECT_EQ(p.ClientAddress(ip::make_address("127.0.0.1"), inner), "10.9.9.9");
}

TEST(TrustedProxies, ReadsRfc7239Forwarded) {
  const TrustedProxies p("127.0.0.1/32");
  const auto peer = ip::make_address("127.0.0.1");
  EXPECT_EQ(p.ClientAddress(peer, WithHeaders({{"Forwarded", "for=192.0.2.43"}})), "192.0.2.43");
  EXPECT_EQ(
      p.ClientAddress(peer, WithHeaders({{"Forwarded", R"(For="[2001:db8:cafe::17]:4711")"}})),
      "2001:db8:cafe::17");
  EXPECT_EQ(
      p.ClientAddress(
          peer,
          WithHeaders({{"Forwarded",
                        R"(for=198.51.100.1, for="192.0.2.60:80";proto=https;by=203.0.113.43)"}})),
      "192.0.2.60");
  // Forwarded wins over X-Forwarded-For when both are present.
  EXPECT_EQ(p.ClientAddress(peer, WithHeaders({{"X-Forwarded-For", "198.51.100.7"},
                                               {"Forwarded", "for=192.0.2.43"}})),
            "192.0.2.43");
}

TEST(TrustedProxies, UnknownOrGarbageHopStopsAtTheReportingProxy) {
  const TrustedProxies p("127.0.0.1/32, 10.0.0.0/8");
  const auto peer = ip::make_address("127.0.0.1");
  EXPECT_EQ(p.ClientAddress(peer, WithHeaders({{"Forwarded", "for=unknown"}})), "127.0.0.1");
  EXPECT_EQ(p.ClientAddress(peer, WithHeaders({{"Forwarded", "for=_hidden, for=10.0.0.2"}})),
            "10.0.0.2");
  EXPECT_EQ(p.ClientAddress(peer, WithHeaders({{"X-Forwarded-For", "not an address"}})),
            "127.0.0.1");
  EXPECT_EQ(p.ClientAddress(peer, WithHeaders({{"X-Forwarded-For", "203.0.113.9:5555"}})),
            "203.0.113.9");
  EXPECT_EQ(p.ClientAddress(peer, WithHeaders({{"X-Forwarded-For", ""}})), "127.0.0.1");
}

TEST(TrustedProxies, MappedPeerIsReportedAsIpv4) {
  const TrustedProxies p("");
  EXPECT_EQ(p.ClientAddress(ip::make_address("::ffff:192.0.2.1"), WithHeaders({})), "192.0.2.1");
}

}  // namespace
}  // namespace chorus::http
