#include "config/MediaAddresses.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <fstream>
#include <limits>
#include <sstream>

namespace chorus::config {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<boost::asio::ip::address> ParseAddress(std::string_view text) {
  boost::system::error_code error;
  auto address = boost::asio::ip::make_address(std::string(text), error);
  if (error) return std::nullopt;
  return address;
}

bool IsLoopback(const std::string& text) {
  const auto address = ParseAddress(text);
  return address && address->is_loopback();
}

// The host part of --listen's "host:port" ("[::1]:8080" → "::1").
std::string_view ListenHost(std::string_view listen) {
  if (!listen.empty() && listen.front() == '[') {
    const auto close = listen.find(']');
    return close == std::string_view::npos ? listen : listen.substr(1, close - 1);
  }
  const auto colon = listen.rfind(':');
  return colon == std::string_view::npos ? listen : listen.substr(0, colon);
}

}  // namespace

std::optional<std::string> ParseAnnounceList(std::string_view text, std::vector<std::string>& out) {
  out.clear();
  if (Trim(text).empty()) return "--rtc-announce-ip is empty";
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view item = Trim(text.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) return "--rtc-announce-ip has an empty item (a stray comma?)";
    const auto address = ParseAddress(item);
    if (!address) {
      return "--rtc-announce-ip: '" + std::string(item.substr(0, 64)) +
             "' is not a numeric IPv4 or IPv6 address";
    }
    if (address->is_unspecified() || address->is_multicast()) {
      return "--rtc-announce-ip: " + std::string(item) +
             " cannot be announced (unspecified or multicast); name the address clients reach";
    }
    // The canonical form, so "010.0.0.1"-style variants cannot hide a duplicate.
    std::string canonical = address->to_string();
    if (std::find(out.begin(), out.end(), canonical) != out.end()) {
      return "--rtc-announce-ip lists " + canonical + " twice";
    }
    out.push_back(std::move(canonical));
    if (out.size() > kMaxAnnounceAddresses) {
      return "--rtc-announce-ip lists more than " + std::to_string(kMaxAnnounceAddresses) +
             " addresses";
    }
  }
  return std::nullopt;
}

std::optional<std::string> DefaultRouteInterface(std::string_view proc_net_route) {
  // Columns: Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT (hex fields
  // in host byte order); the first line is the header.
  std::istringstream in{std::string(proc_net_route)};
  std::string line;
  std::getline(in, line);
  std::optional<std::string> best;
  unsigned long best_metric = std::numeric_limits<unsigned long>::max();
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string iface, destination, gateway, flags, refcnt, use, metric, mask;
    if (!(fields >> iface >> destination >> gateway >> flags >> refcnt >> use >> metric >> mask)) {
      continue;
    }
    unsigned long flag_bits = 0;
    unsigned long metric_value = 0;
    try {
      flag_bits = std::stoul(flags, nullptr, 16);
      metric_value = std::stoul(metric, nullptr, 10);
    } catch (const std::exception&) {
      continue;
    }
    if (destination != "00000000" || mask != "00000000" || (flag_bits & RTF_UP) == 0) continue;
    if (!best || metric_value < best_metric) {
      best = iface;
      best_metric = metric_value;
    }
  }
  return best;
}

HostRoutes ReadHostRoutes() {
  HostRoutes host;
  std::ifstream in("/proc/net/route");
  std::stringstream text;
  text << in.rdbuf();
  host.default_interface = DefaultRouteInterface(text.str());
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return host;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
    if ((entry->ifa_flags & IFF_UP) == 0) continue;
    char buffer[INET_ADDRSTRLEN] = {};
    const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
    if (::inet_ntop(AF_INET, &ipv4->sin_addr, buffer, sizeof(buffer)) == nullptr) continue;
    host.addresses.push_back({entry->ifa_name, buffer});
  }
  ::freeifaddrs(list);
  return host;
}

bool ListensBeyondLoopback(std::string_view host) {
  host = ListenHost(host);
  if (host == "localhost") return false;
  const auto address = ParseAddress(host);
  if (!address) return true;  // a name: it resolves to whatever DNS says
  return !address->is_loopback();
}

AnnouncePlan PlanAnnounce(const Config& config, const HostRoutes& host) {
  AnnouncePlan plan;
  const auto bind = ParseAddress(config.rtc.bind);
  if (!config.rtc.announce_ips.empty()) {
    plan.addresses = config.rtc.announce_ips;
    plan.source = "--rtc-announce-ip";
  } else if (bind && !bind->is_unspecified()) {
    plan.addresses = {bind->to_string()};
    plan.source = "--rtc-bind";
  } else {
    const InterfaceAddress* chosen = nullptr;
    if (host.default_interface) {
      for (const auto& entry : host.addresses) {
        if (entry.interface == *host.default_interface) {
          chosen = &entry;
          break;
        }
      }
    }
    if (chosen != nullptr) {
      plan.addresses = {chosen->address};
      plan.source = "the default route's interface (" + chosen->interface + ")";
    } else {
      plan.addresses = {"127.0.0.1"};
      plan.source = "fallback: no default route";
      plan.warnings.push_back(
          "no default route and no --rtc-announce-ip: media is announced on 127.0.0.1, so only "
          "browsers on this machine can connect");
    }
  }
  const bool loopback_only = std::all_of(plan.addresses.begin(), plan.addresses.end(), IsLoopback);
  if (loopback_only && ListensBeyondLoopback(config.http.listen)) {
    plan.warnings.push_back(
        "HTTP listens on " + config.http.listen + " beyond loopback but media is announced on " +
        plan.addresses.front() +
        ": browsers on other machines will join voice and hear nothing. Set --rtc-announce-ip "
        "to the address they reach this host on");
  }
  if (bind && bind->is_v4()) {
    for (const auto& address : plan.addresses) {
      const auto parsed = ParseAddress(address);
      if (parsed && parsed->is_v6()) {
        plan.warnings.push_back("--rtc-announce-ip " + address + " is IPv6 but --rtc-bind " +
                                config.rtc.bind + " is IPv4: that candidate cannot be reached");
      }
    }
  }
  return plan;
}

}  // namespace chorus::config
