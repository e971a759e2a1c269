// MediaAddresses: --rtc-announce-ip parsing, the default route from /proc/net/route text, and the
// choice of announced addresses with its warnings.
#include "config/MediaAddresses.hpp"

#include <gtest/gtest.h>

namespace chorus::config {
namespace {

// A /proc/net/route as Linux writes it: a docker bridge, the default route via eth0 (metric 100)
// and a second, worse default via wlan0 (metric 600).
constexpr const char* kRoutes =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
    "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
    "eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
    "eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";

HostRoutes Host() {
  HostRoutes host;
  host.default_interface = "eth0";
  host.addresses = {{"lo", "127.0.0.1"}, {"docker0", "172.17.0.1"}, {"eth0", "10.0.0.5"}};
  return host;
}

Config WithBind(std::string bind, std::string listen = "127.0.0.1:8080") {
  Config config;
  config.rtc.bind = std::move(bind);
  config.http.listen = std::move(listen);
  return config;
}

bool HasWarning(const AnnouncePlan& plan, const std::string& part) {
  for (const auto& warning : plan.warnings) {
    if (warning.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(MediaAddressesTest, ParsesAListFirstPreferred) {
  std::vector<std::string> out;
  EXPECT_EQ(ParseAnnounceList("203.0.113.10, 10.0.0.5", out), std::nullopt);
  EXPECT_EQ(out, (std::vector<std::string>{"203.0.113.10", "10.0.0.5"}));
  EXPECT_EQ(ParseAnnounceList("2001:db8::1", out), std::nullopt);
  EXPECT_EQ(out, (std::vector<std::string>{"2001:db8::1"}));
}

TEST(MediaAddressesTest, RefusesMalformedLists) {
  std::vector<std::string> out;
  for (const char* bad : {"", " ", "10.0.0.1,", ",10.0.0.1", "10.0.0.1,,10.0.0.2", "localhost",
                          "10.0.0.256", "10.0.0.1:40000", "0.0.0.0", "::", "224.0.0.1",
                          "10.0.0.1,10.0.0.1", "10.0.0.1;10.0.0.2", "1,2,3,4,5,6,7,8,9"}) {
    EXPECT_NE(ParseAnnounceList(bad, out), std::nullopt) << "'" << bad << "'";
  }
  EXPECT_NE(ParseAnnounceList("1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,1.1.1.8,"
                              "1.1.1.9",
                              out),
            std::nullopt);
}

TEST(MediaAddressesTest, FindsTheLowestMetricDefaultRoute) {
  EXPECT_EQ(DefaultRouteInterface(kRoutes), "eth0");
  EXPECT_EQ(DefaultRouteInterface("Iface\tDestination\n"), std::nullopt);
  // A route that is down (flag RTF_UP clear) does not count.
  EXPECT_EQ(DefaultRouteInterface("Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n"
                                  "eth1\t00000000\t0100000A\t0002\t0\t0\t0\t00000000\n"),
            std::nullopt);
  EXPECT_EQ(DefaultRouteInterface("garbage\nnot a route line\n\t\t\n"), std::nullopt);
}

TEST(MediaAddressesTest, AnnounceListWinsOverEverything) {
  Config config = WithBind("0.0.0.0");
  config.rtc.announce_ips = {"203.0.113.10", "10.0.0.5"};
  const auto plan = PlanAnnounce(config, Host());
  EXPECT_EQ(plan.addresses, config.rtc.announce_ips);
  EXPECT_EQ(plan.source, "--rtc-announce-ip");
  EXPECT_TRUE(plan.warnings.empty());
}

TEST(MediaAddressesTest, ASpecificBindAddressIsAnnounced) {
  const auto plan = PlanAnnounce(WithBind("127.0.0.1"), Host());
  EXPECT_EQ(plan.addresses, (std::vector<std::string>{"127.0.0.1"}));
  EXPECT_EQ(plan.source, "--rtc-bind");
  EXPECT_TRUE(plan.warnings.empty());
}

TEST(MediaAddressesTest, AWildcardBindAnnouncesTheDefaultRoutesInterface) {
  const auto plan = PlanAnnounce(WithBind("0.0.0.0"), Host());
  EXPECT_EQ(plan.addresses, (std::vector<std::string>{"10.0.0.5"}));
  EXPECT_NE(plan.source.find("eth0"), std::string::npos);
  EXPECT_TRUE(plan.warnings.empty());
}

TEST(MediaAddressesTest, NoDefaultRouteFallsBackToLoopbackWithAWarning) {
  HostRoutes host = Host();
  host.default_interface.reset();
  const auto plan = PlanAnnounce(WithBind("0.0.0.0"), host);
  EXPECT_EQ(plan.addresses, (std::vector<std::string>{"127.0.0.1"}));
  EXPECT_TRUE(HasWarning(plan, "only browsers on this machine"));
  // The default route's interface without an IPv4 address: the same fallback.
  host = Host();
  host.default_interface = "wg0";
  EXPECT_EQ(PlanAnnounce(WithBind("0.0.0.0"), host).addresses,
            (std::vector<std::string>{"127.0.0.1"}));
}

TEST(MediaAddressesTest, WarnsLoudlyWhenHttpIsPublicButMediaIsOnLoopback) {
  Config config = WithBind("0.0.0.0", "0.0.0.0:8080");
  config.rtc.announce_ips = {"127.0.0.1"};
  EXPECT_TRUE(HasWarning(PlanAnnounce(config, Host()), "hear nothing"));
  config.http.listen = "[::]:443";
  EXPECT_TRUE(HasWarning(PlanAnnounce(config, Host()), "hear nothing"));
  config.http.listen = "chorus.example.org:443";
  EXPECT_TRUE(HasWarning(PlanAnnounce(config, Host()), "hear nothing"));
  // HTTP on loopback (make run, or behind a local proxy) with loopback media: no warning.
  config.http.listen = "127.0.0.1:8080";
  EXPECT_FALSE(HasWarning(PlanAnnounce(config, Host()), "hear nothing"));
  config.http.listen = "localhost:8080";
  EXPECT_FALSE(HasWarning(PlanAnnounce(config, Host()), "hear nothing"));
  // One reachable address among the announced ones is enough.
  config.http.listen = "0.0.0.0:8080";
  config.rtc.announce_ips = {"127.0.0.1", "10.0.0.5"};
  EXPECT_FALSE(HasWarning(PlanAnnounce(config, Host()), "hear nothing"));
}

TEST(MediaAddressesTest, WarnsAboutAnIpv6AddressOnAnIpv4Socket) {
  Config config = WithBind("0.0.0.0");
  config.rtc.announce_ips = {"2001:db8::1"};
  EXPECT_TRUE(HasWarning(PlanAnnounce(config, Host()), "cannot be reached"));
}

TEST(MediaAddressesTest, ListensBeyondLoopback) {
  EXPECT_FALSE(ListensBeyondLoopback("127.0.0.1:8080"));
  EXPECT_FALSE(ListensBeyondLoopback("127.0.0.2:8080"));
  EXPECT_FALSE(ListensBeyondLoopback("[::1]:8080"));
  EXPECT_FALSE(ListensBeyondLoopback("localhost:8080"));
  EXPECT_TRUE(ListensBeyondLoopback("0.0.0.0:8080"));
  EXPECT_TRUE(ListensBeyondLoopback("10.0.0.5:443"));
  EXPECT_TRUE(ListensBeyondLoopback("[::]:443"));
}

}  // namespace
}  // namespace chorus::config
