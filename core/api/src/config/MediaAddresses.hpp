// Which addresses the SFU announces in its ICE candidates, decided once at start:
//  - --rtc-announce-ip (a comma list, first preferred: e.g. the public address of a cloud 1:1 NAT,
//    then the private one), checked here so a malformed list stops chorusd at start instead of
//    failing every /rtc join;
//  - else the --rtc-bind address when it names one address;
//  - else the IPv4 address of the interface that holds the default route (/proc/net/route);
//  - else 127.0.0.1, with a warning (only this machine can then reach the media).
// Also the loud warning for an HTTP side reachable beyond loopback whose media is announced on
// loopback only (other machines would join and hear nothing).
// The decision (PlanAnnounce) is a pure function of its inputs; ReadHostRoutes reads the host.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/Config.hpp"

namespace chorus::config {

constexpr std::size_t kMaxAnnounceAddresses = 8;

// Parses a comma-separated list of numeric IPv4/IPv6 addresses (blanks around items allowed)
// into `out`. Returns an error message for an empty list or item, a malformed, unspecified
// (0.0.0.0, ::) or multicast address, a duplicate, or more than kMaxAnnounceAddresses.
std::optional<std::string> ParseAnnounceList(std::string_view text, std::vector<std::string>& out);

// The interface of the lowest-metric IPv4 default route (destination and mask 0, flag RTF_UP) in
// the text of /proc/net/route; nullopt when there is none.
std::optional<std::string> DefaultRouteInterface(std::string_view proc_net_route);

struct InterfaceAddress {
  std::string interface;  // e.g. "eth0"
  std::string address;    // numeric IPv4
};

// What the host's routing looks like (read once at start; tests build it by hand).
struct HostRoutes {
  std::optional<std::string> default_interface;
  std::vector<InterfaceAddress> addresses;  // IPv4 addresses of the interfaces that are up
};

// Reads /proc/net/route and getifaddrs().
HostRoutes ReadHostRoutes();

struct AnnouncePlan {
  std::vector<std::string> addresses;  // first preferred; never empty
  std::string source;                 // why these: "--rtc-announce-ip", "default route (eth0)", …
  std::vector<std::string> warnings;  // to log at warn level (and print under --check)
};

// Decides the announced addresses for `config` (its rtc.announce_ips, rtc.bind, http.listen).
AnnouncePlan PlanAnnounce(const Config& config, const HostRoutes& host);

// True when `host` (an IP literal or name, as in --listen) is reachable beyond loopback: a
// wildcard, a non-loopback address or a name other than "localhost".
bool ListensBeyondLoopback(std::string_view host);

}  // namespace chorus::config
