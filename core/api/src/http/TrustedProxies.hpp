// The reverse proxies whose forwarding headers chorusd believes (--trusted-proxies), and the
// client address of a request derived from them (RFC 7239 §5.2 and the X-Forwarded-For
// convention): the right-most address in the chain of hops that is not a trusted proxy.
// Immutable after construction; safe to share between threads.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "http/Types.hpp"

namespace chorus::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Parses a comma-separated list of CIDRs ("10.0.0.0/8, ::1/128") or bare addresses (a single
  // host). Throws std::invalid_argument naming the first entry that is not one.
  explicit TrustedProxies(std::string_view list);

  bool Empty() const { return v4_.empty() && v6_.empty(); }
  // True when `address` (IPv4-mapped IPv6 counts as IPv4) lies in one of the networks.
  bool Contains(const boost::asio::ip::address& address) const;
  // The client address of `request` received from `peer`: the peer itself unless it is a
  // trusted proxy; then, walking the Forwarded `for=` list (or, without a Forwarded field,
  // X-Forwarded-For) from the right, the first address that is not a trusted proxy. A hop that
  // is not an IP address (`unknown`, an obfuscated name, garbage) stops the walk: the address
  // of the trusted hop that reported it is used.
  std::string ClientAddress(const boost::asio::ip::address& peer, const Request& request) const;

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

}  // namespace chorus::http
