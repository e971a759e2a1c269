// A transport address (IP + port), IPv4 or IPv6, as a small value type, plus which transport
// carries it: a UDP datagram address (connection id 0), or the remote end of one ICE-TCP
// connection (RFC 6544), tagged with the id the socket layer gave that connection so a path over
// TCP never equals a UDP path from the same IP and port. Not I/O: it only wraps sockaddr_storage
// so the socket layer can hand it over without conversion.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace chorus::rtc {

class TransportAddress {
 public:
  // An empty address (family AF_UNSPEC); IsValid() is false.
  TransportAddress() = default;

  // Copies an IPv4 or IPv6 socket address; nullopt for any other family or a short length.
  static std::optional<TransportAddress> FromSockaddr(const sockaddr* address, socklen_t length);

  // Builds an IPv4 address from network-order bytes and a host-order port.
  static TransportAddress FromIpv4(const std::array<std::uint8_t, 4>& ip, std::uint16_t port);

  // Builds an IPv6 address from network-order bytes and a host-order port.
  static TransportAddress FromIpv6(const std::array<std::uint8_t, 16>& ip, std::uint16_t port);

  // Parses a numeric IPv4 ("192.0.2.1") or IPv6 ("2001:db8::1") literal; nullopt if invalid.
  static std::optional<TransportAddress> FromString(std::string_view ip, std::uint16_t port);

  // True for an IPv4 or IPv6 address.
  bool IsValid() const { return IsIpv4() || IsIpv6(); }
  // The address family.
  bool IsIpv4() const { return storage_.ss_family == AF_INET; }
  bool IsIpv6() const { return storage_.ss_family == AF_INET6; }

  // The same address tagged as the remote end of TCP connection `id` (0: back to UDP).
  TransportAddress WithConnection(std::uint32_t id) const {
    TransportAddress tagged = *this;
    tagged.connection_id_ = id;
    return tagged;
  }
  // The TCP connection that carries this path, 0 for a UDP address.
  std::uint32_t ConnectionId() const { return connection_id_; }
  bool IsTcp() const { return connection_id_ != 0; }

  // The port in host byte order (0 for an empty address).
  std::uint16_t Port() const;

  // The address bytes in network order: 4 bytes for IPv4, 16 for IPv6, empty otherwise.
  std::size_t IpBytes(std::uint8_t* out16) const;

  // For sendto()/sendmmsg(): the sockaddr and its length (0 for an empty address).
  const sockaddr* Sockaddr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t SockaddrLength() const;
  const sockaddr_storage& Storage() const { return storage_; }

  // "192.0.2.1:3478" or "[2001:db8::1]:3478" ("192.0.2.1:3478/tcp#7" over TCP connection 7);
  // "unspecified" for an empty address.
  std::string ToString() const;

  // Hash over family, address, port and connection id (for unordered containers).
  std::size_t Hash() const;

  // Equal when family, address bytes, port, connection id (and IPv6 scope id) match.
  friend bool operator==(const TransportAddress& a, const TransportAddress& b);

 private:
  std::string TransportSuffix() const;

  sockaddr_storage storage_{};
  std::uint32_t connection_id_ = 0;
};

}  // namespace chorus::rtc

template <>
struct std::hash<chorus::rtc::TransportAddress> {
  std::size_t operator()(const chorus::rtc::TransportAddress& address) const {
    return address.Hash();
  }
};
