// Test helper: the remote side of a UDP path, a plain blocking socket bound to a loopback address,
// which tells where each datagram it receives came from (the source address under test).
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "rtc/TransportAddress.hpp"

namespace chorus::test {

// `ip` with `port`; fails the test (and returns an empty address) when `ip` is not a literal.
inline rtc::TransportAddress Address(const std::string& ip, std::uint16_t port) {
  auto address = rtc::TransportAddress::FromString(ip, port);
  EXPECT_TRUE(address) << ip;
  return address.value_or(rtc::TransportAddress());
}

class LoopbackClient {
 public:
  // Binds to `bind` (port 0 picks one).
  explicit LoopbackClient(const rtc::TransportAddress& bind) {
    fd_ = ::socket(bind.IsIpv6() ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    EXPECT_EQ(::bind(fd_, bind.Sockaddr(), bind.SockaddrLength()), 0)
        << bind.ToString() << ": " << std::strerror(errno);
    sockaddr_storage name{};
    socklen_t length = sizeof(name);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&name), &length);
    address_ = rtc::TransportAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&name), length)
                   .value_or(rtc::TransportAddress());
  }
  ~LoopbackClient() { ::close(fd_); }
  LoopbackClient(const LoopbackClient&) = delete;
  LoopbackClient& operator=(const LoopbackClient&) = delete;

  // The bound address (the remote address the server sees).
  const rtc::TransportAddress& Address() const { return address_; }

  // Sends one datagram to `to`; true when the kernel took it all. Allocates nothing.
  bool SendTo(const rtc::TransportAddress& to, std::span<const std::uint8_t> data) {
    return ::sendto(fd_, data.data(), data.size(), 0, to.Sockaddr(), to.SockaddrLength()) ==
           static_cast<ssize_t>(data.size());
  }
  bool SendTo(const rtc::TransportAddress& to, std::string_view text) {
    return SendTo(to, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }

  // Receives the next datagram into `out`, waiting up to `timeout_ms`; its length (0 on timeout)
  // and where it came from in `from`. Allocates nothing.
  std::size_t ReceiveInto(std::span<std::uint8_t> out, rtc::TransportAddress* from,
                          int timeout_ms = 2000) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, timeout_ms) != 1) return 0;
    sockaddr_storage name{};
    socklen_t name_length = sizeof(name);
    const auto n = ::recvfrom(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&name),
                              &name_length);
    if (n <= 0) return 0;
    *from = rtc::TransportAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&name), name_length)
                .value_or(rtc::TransportAddress());
    return static_cast<std::size_t>(n);
  }

  // The next datagram as text and where it came from; nullopt after 2 s without one.
  std::optional<std::pair<std::string, rtc::TransportAddress>> Receive() {
    std::array<std::uint8_t, 2048> buffer{};
    rtc::TransportAddress from;
    const std::size_t n = ReceiveInto(buffer, &from);
    if (n == 0) return std::nullopt;
    return std::make_pair(std::string(reinterpret_cast<const char*>(buffer.data()), n), from);
  }

 private:
  int fd_ = -1;
  rtc::TransportAddress address_;
};

}  // namespace chorus::test
