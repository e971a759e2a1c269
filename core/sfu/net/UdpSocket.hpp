// A non-blocking UDP socket with batched receive and send (recvmmsg/sendmmsg), the only socket of
// a media worker. All buffers are preallocated: receiving and sending allocate nothing.
// Bound to a wildcard address (0.0.0.0 or ::) on a host with several addresses, the socket also
// reports the local address each datagram arrived on (IP_PKTINFO / IPV6_PKTINFO control messages)
// and can send a datagram from a given local address: a reply must leave from the address the
// request went to, or strict ICE agents drop it (RFC 8445 §7.2.5.2.1, non-symmetric addresses).
// Thread affinity: one media worker thread (the socket's owner).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "rtc/TransportAddress.hpp"

namespace chorus::net {

class UdpSocket {
 public:
  static constexpr std::size_t kBatch = 32;               // datagrams per recvmmsg/sendmmsg
  static constexpr std::size_t kMaxDatagramBytes = 2048;  // larger datagrams are truncated+dropped
  static constexpr int kSocketBufferBytes = 4 << 20;      // SO_RCVBUF/SO_SNDBUF request
  // Room for one IP_PKTINFO or IPV6_PKTINFO control message (the only one the socket enables).
  static constexpr std::size_t kControlBytes =
      std::max(CMSG_SPACE(sizeof(in_pktinfo)), CMSG_SPACE(sizeof(in6_pktinfo)));

  // Counters (written by the owner thread only).
  struct Counters {
    std::uint64_t received = 0;
    std::uint64_t received_bytes = 0;
    std::uint64_t truncated = 0;  // datagrams larger than kMaxDatagramBytes, dropped
    std::uint64_t sent = 0;
    std::uint64_t sent_bytes = 0;
    std::uint64_t send_errors = 0;  // datagrams the kernel refused (or too large to queue)
  };

  // Opens and binds a UDP socket on `bind` (port 0 picks one). With `reuse_port`, sets
  // SO_REUSEPORT so every worker can bind the same port and the kernel spreads remote 4-tuples
  // over them. When `bind` is a wildcard address, enables IP_PKTINFO (IPv4 socket) or
  // IPV6_RECVPKTINFO (IPv6 socket, which also covers IPv4-mapped peers of a dual-stack socket)
  // so LocalOf() and Queue()'s `source` work. Returns nullptr and fills `error` on failure.
  static std::unique_ptr<UdpSocket> Open(const rtc::TransportAddress& bind, bool reuse_port,
                                         std::string* error);

  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // The file descriptor (for epoll) and the bound port.
  int Fd() const { return fd_; }
  std::uint16_t LocalPort() const { return local_port_; }
  // True when the socket is bound to a wildcard address and so reports and chooses the local
  // address of each datagram (LocalOf(), Queue()'s `source`).
  bool ChoosesSourceAddress() const { return pktinfo_; }

  // Receives up to kBatch datagrams without blocking. Returns how many are ready (0 when none);
  // read them with Data(i) / From(i) / LocalOf(i) until the next call.
  std::size_t ReceiveBatch();
  // Datagram i's bytes.
  std::span<std::uint8_t> Data(std::size_t i) {
    return {recv_buffers_[i].data(), recv_lengths_[i]};
  }
  // The remote address datagram i came from.
  const rtc::TransportAddress& From(std::size_t i) const { return recv_from_[i]; }
  // The local address (IP, and the bound port) datagram i was sent to, on a socket that
  // ChoosesSourceAddress(); an IPv4-mapped IPv6 address for an IPv4 peer of a dual-stack socket.
  // An empty address (IsValid() false) on a socket bound to a specific address.
  const rtc::TransportAddress& LocalOf(std::size_t i) const { return recv_local_[i]; }

  // Copies `datagram` into the send batch for `to`; sends the batch when it is full. When the
  // socket ChoosesSourceAddress() and `source` is set (usually a LocalOf() of the peer's
  // datagrams), the datagram leaves from `source`'s IP (IP_PKTINFO ipi_spec_dst / IPV6_PKTINFO
  // ipi6_addr); otherwise (or for a `source` of the other family) the kernel picks the source by
  // route, as for any unconnected socket. Returns false (and counts a send error) when the
  // datagram is too large or `to` is unset.
  bool Queue(const rtc::TransportAddress& to, std::span<const std::uint8_t> datagram,
             const rtc::TransportAddress& source = {});

  // Sends everything queued with as few sendmmsg calls as possible. Returns datagrams sent.
  std::size_t Flush();

  const Counters& GetCounters() const { return counters_; }

 private:
  // One slot's control-message buffer, aligned for cmsghdr.
  struct alignas(cmsghdr) ControlBuffer {
    std::array<std::uint8_t, kControlBytes> bytes{};
  };

  UdpSocket(int fd, std::uint16_t port, bool ipv6, bool pktinfo);
  // The destination address in a received message's IP_PKTINFO / IPV6_PKTINFO, or empty.
  rtc::TransportAddress LocalFromControl(msghdr& header) const;
  // Writes the control message that makes slot `slot` leave from `source`; its length, or 0.
  std::size_t WriteSourceControl(std::size_t slot, const rtc::TransportAddress& source);

  int fd_;
  std::uint16_t local_port_;
  bool ipv6_;     // an AF_INET6 socket (pktinfo control messages are IPV6_PKTINFO)
  bool pktinfo_;  // bound to a wildcard address: pktinfo enabled
  Counters counters_;

  std::array<std::array<std::uint8_t, kMaxDatagramBytes>, kBatch> recv_buffers_{};
  std::array<std::size_t, kBatch> recv_lengths_{};
  std::array<sockaddr_storage, kBatch> recv_names_{};
  std::array<ControlBuffer, kBatch> recv_control_{};
  std::array<rtc::TransportAddress, kBatch> recv_from_{};
  std::array<rtc::TransportAddress, kBatch> recv_local_{};

  std::array<std::array<std::uint8_t, kMaxDatagramBytes>, kBatch> send_buffers_{};
  std::array<std::size_t, kBatch> send_lengths_{};
  std::array<rtc::TransportAddress, kBatch> send_to_{};
  std::array<ControlBuffer, kBatch> send_control_{};
  std::array<std::size_t, kBatch> send_control_lengths_{};  // 0: no source chosen
  std::size_t send_count_ = 0;
};

}  // namespace chorus::net
