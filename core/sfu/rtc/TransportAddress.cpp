#include "rtc/TransportAddress.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace chorus::rtc {

std::optional<TransportAddress> TransportAddress::FromSockaddr(const sockaddr* address,
                                                               socklen_t length) {
  if (address == nullptr) return std::nullopt;
  TransportAddress result;
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    std::memcpy(&result.storage_, address, sizeof(sockaddr_in));
    return result;
  }
  if (address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    std::memcpy(&result.storage_, address, sizeof(sockaddr_in6));
    return result;
  }
  return std::nullopt;
}

TransportAddress TransportAddress::FromIpv4(const std::array<std::uint8_t, 4>& ip,
                                            std::uint16_t port) {
  TransportAddress result;
  auto* in = reinterpret_cast<sockaddr_in*>(&result.storage_);
  in->sin_family = AF_INET;
  in->sin_port = htons(port);
  std::memcpy(&in->sin_addr, ip.data(), ip.size());
  return result;
}

TransportAddress TransportAddress::FromIpv6(const std::array<std::uint8_t, 16>& ip,
                                            std::uint16_t port) {
  TransportAddress result;
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&result.storage_);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(port);
  std::memcpy(&in6->sin6_addr, ip.data(), ip.size());
  return result;
}

std::optional<TransportAddress> TransportAddress::FromString(std::string_view ip,
                                                             std::uint16_t port) {
  // inet_pton needs a NUL-terminated string; the longest IPv6 literal is 45 characters.
  char text[INET6_ADDRSTRLEN] = {};
  if (ip.empty() || ip.size() >= sizeof(text)) return std::nullopt;
  std::memcpy(text, ip.data(), ip.size());
  std::array<std::uint8_t, 4> v4{};
  if (inet_pton(AF_INET, text, v4.data()) == 1) return FromIpv4(v4, port);
  std::array<std::uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, text, v6.data()) == 1) return FromIpv6(v6, port);
  return std::nullopt;
}

std::uint16_t TransportAddress::Port() const {
  if (IsIpv4()) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (IsIpv6()) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

std::size_t TransportAddress::IpBytes(std::uint8_t* out16) const {
  if (IsIpv4()) {
    std::memcpy(out16, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, 4);
    return 4;
  }
  if (IsIpv6()) {
    std::memcpy(out16, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, 16);
    return 16;
  }
  return 0;
}

socklen_t TransportAddress::SockaddrLength() const {
  if (IsIpv4()) return sizeof(sockaddr_in);
  if (IsIpv6()) return sizeof(sockaddr_in6);
  return 0;
}

std::string TransportAddress::TransportSuffix() const {
  return connection_id_ == 0 ? std::string() : "/tcp#" + std::to_string(connection_id_);
}

std::string TransportAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  std::uint8_t ip[16];
  if (IsIpv4()) {
    IpBytes(ip);
    inet_ntop(AF_INET, ip, text, sizeof(text));
    return std::string(text) + ":" + std::to_string(Port()) + TransportSuffix();
  }
  if (IsIpv6()) {
    IpBytes(ip);
    inet_ntop(AF_INET6, ip, text, sizeof(text));
    return "[" + std::string(text) + "]:" + std::to_string(Port()) + TransportSuffix();
  }
  return "unspecified";
}

std::size_t TransportAddress::Hash() const {
  // FNV-1a over family, port and address bytes: cheap and good enough for a hash map key.
  std::uint8_t ip[16];
  const std::size_t ip_length = IpBytes(ip);
  std::uint64_t hash = 1469598103934665603ULL;
  auto mix = [&hash](std::uint8_t byte) {
    hash ^= byte;
    hash *= 1099511628211ULL;
  };
  mix(static_cast<std::uint8_t>(storage_.ss_family));
  const std::uint16_t port = Port();
  mix(static_cast<std::uint8_t>(port >> 8));
  mix(static_cast<std::uint8_t>(port & 0xff));
  for (std::size_t i = 0; i < ip_length; ++i) mix(ip[i]);
  for (int shift = 0; shift < 32 && connection_id_ != 0; shift += 8) {
    mix(static_cast<std::uint8_t>(connection_id_ >> shift));
  }
  return static_cast<std::size_t>(hash);
}

bool operator==(const TransportAddress& a, const TransportAddress& b) {
  if (a.storage_.ss_family != b.storage_.ss_family) return false;
  if (a.connection_id_ != b.connection_id_) return false;
  if (a.Port() != b.Port()) return false;
  std::uint8_t ip_a[16];
  std::uint8_t ip_b[16];
  const std::size_t length = a.IpBytes(ip_a);
  b.IpBytes(ip_b);
  if (std::memcmp(ip_a, ip_b, length) != 0) return false;
  if (a.IsIpv6()) {
    return reinterpret_cast<const sockaddr_in6*>(&a.storage_)->sin6_scope_id ==
           reinterpret_cast<const sockaddr_in6*>(&b.storage_)->sin6_scope_id;
  }
  return true;
}

}  // namespace chorus::rtc
