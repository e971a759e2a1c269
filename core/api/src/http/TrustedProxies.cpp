#include "http/TrustedProxies.hpp"

#include <optional>
#include <stdexcept>

namespace chorus::http {
namespace {

namespace ip = boost::asio::ip;
// A header naming more hops than this is cut to its right-most entries (all a trusted chain
// can have added); the rest is the client's own claim and is never read.
constexpr std::size_t kMaxHops = 32;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

ip::address Normalize(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  }
  return a;
}

// One hop as written by a proxy: "192.0.2.1", "192.0.2.1:4711", "[2001:db8::1]:4711",
// "2001:db8::1", each possibly quoted (RFC 7239 §6). std::nullopt when it is not an address.
std::optional<ip::address> ParseHop(std::string_view hop) {
  hop = Trim(hop);
  if (hop.size() >= 2 && hop.front() == '"' && hop.back() == '"') {
    hop = hop.substr(1, hop.size() - 2);
  }
  if (!hop.empty() && hop.front() == '[') {
    const auto close = hop.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    hop = hop.substr(1, close - 1);
  } else if (hop.find(':') != std::string_view::npos && hop.find(':') == hop.rfind(':')) {
    hop = hop.substr(0, hop.find(':'));  // IPv4 with a port
  }
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(hop), ec);
  if (ec) return std::nullopt;
  return Normalize(address);
}

// Splits the (combined) field values on commas.
std::vector<std::string_view> SplitList(const std::vector<std::string_view>& values) {
  std::vector<std::string_view> out;
  for (auto value : values) {
    while (!value.empty()) {
      const auto comma = value.find(',');
      out.push_back(Trim(value.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return out;
}

// The `for=` parameter of one Forwarded element ("for=a;proto=https;by=b"), or empty.
std::string_view ForOf(std::string_view element) {
  while (!element.empty()) {
    const auto semi = element.find(';');
    auto pair = Trim(element.substr(0, semi));
    if (pair.size() > 4 && (pair[0] == 'f' || pair[0] == 'F') &&
        (pair[1] == 'o' || pair[1] == 'O') && (pair[2] == 'r' || pair[2] == 'R') &&
        pair[3] == '=') {
      return pair.substr(4);
    }
    if (semi == std::string_view::npos) break;
    element.remove_prefix(semi + 1);
  }
  return {};
}

}  // namespace

TrustedProxies::TrustedProxies(std::string_view list) {
  for (auto entry : SplitList({list})) {
    if (entry.empty()) continue;
    const std::string text(entry);
    boost::system::error_code ec;
    const auto slash = text.find('/');
    const auto address = ip::make_address(text.substr(0, slash), ec);
    if (ec) throw std::invalid_argument("not an address or CIDR: " + text);
    unsigned long prefix = address.is_v4() ? 32 : 128;
    if (slash != std::string::npos) {
      const auto bits = text.substr(slash + 1);
      if (bits.empty() || bits.size() > 3 || bits.find_first_not_of("0123456789") != bits.npos) {
        throw std::invalid_argument("not an address or CIDR: " + text);
      }
      prefix = std::stoul(bits);
      if (prefix > (address.is_v4() ? 32u : 128u)) {
        throw std::invalid_argument("prefix too long: " + text);
      }
    }
    if (address.is_v4()) {
      v4_.push_back(
          ip::network_v4(address.to_v4(), static_cast<unsigned short>(prefix)).canonical());
    } else {
      v6_.push_back(
          ip::network_v6(address.to_v6(), static_cast<unsigned short>(prefix)).canonical());
    }
  }
}

bool TrustedProxies::Contains(const ip::address& raw) const {
  const auto address = Normalize(raw);
  if (address.is_v4()) {
    const auto a = address.to_v4();
    for (const auto& n : v4_) {
      if (ip::network_v4(a, n.prefix_length()).canonical() == n) return true;
    }
    return false;
  }
  const auto a = address.to_v6();
  for (const auto& n : v6_) {
    if (ip::network_v6(a, n.prefix_length()).canonical() == n) return true;
  }
  return false;
}

std::string TrustedProxies::ClientAddress(const ip::address& raw_peer,
                                          const Request& request) const {
  const auto peer = Normalize(raw_peer);
  if (!Contains(peer)) return peer.to_string();
  std::vector<std::string_view> values;
  bool forwarded = false;
  for (const auto& field : request) {
    if (field.name() == beast::http::field::forwarded) {
      if (!forwarded) values.clear();
      forwarded = true;
      values.push_back(field.value());
    } else if (!forwarded && beast::iequals(field.name_string(), "X-Forwarded-For")) {
      values.push_back(field.value());
    }
  }
  auto hops = SplitList(values);
  if (hops.size() > kMaxHops) hops.erase(hops.begin(), hops.end() - kMaxHops);
  ip::address client = peer;
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    const auto hop = ParseHop(forwarded ? ForOf(*it) : *it);
    if (!hop) break;  // RFC 7239 §6.3: "unknown" or an obfuscated node; keep the reporting hop
    client = *hop;
    if (!Contains(client)) break;
  }
  return client.to_string();
}

}  // namespace chorus::http
