// A non-blocking UDP socket with batched receive and send (recvmmsg/sendmmsg), the only socket of
// a media worker. All buffers are preallocated: receiving and sending allocate nothing.
// Thread affinity: one media worker thread (the socket's owner).
#pragma once

#include <sys/socket.h>

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
  // over them. Returns nullptr and fills `error` on failure.
  static std::unique_ptr<UdpSocket> Open(const rtc::TransportAddress& bind, bool reuse_port,
                                         std::string* error);

  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // The file descriptor (for epoll) and the bound port.
  int Fd() const { return fd_; }
  std::uint16_t LocalPort() const { return local_port_; }

  // Receives up to kBatch datagrams without blocking. Returns how many are ready (0 when none);
  // read them with Data(i) / From(i) until the next call.
  std::size_t ReceiveBatch();
  std::span<std::uint8_t> Data(std::size_t i) {
    return {recv_buffers_[i].data(), recv_lengths_[i]};
  }
  const rtc::TransportAddress& From(std::size_t i) const { return recv_from_[i]; }

  // Copies `datagram` into the send batch for `to`; sends the batch when it is full. Returns
  // false (and counts a send error) when the datagram is too large or `to` is unset.
  bool Queue(const rtc::TransportAddress& to, std::span<const std::uint8_t> datagram);

  // Sends everything queued with as few sendmmsg calls as possible. Returns datagrams sent.
  std::size_t Flush();

  const Counters& GetCounters() const { return counters_; }

 private:
  UdpSocket(int fd, std::uint16_t port);

  int fd_;
  std::uint16_t local_port_;
  Counters counters_;

  std::array<std::array<std::uint8_t, kMaxDatagramBytes>, kBatch> recv_buffers_{};
  std::array<std::size_t, kBatch> recv_lengths_{};
  std::array<sockaddr_storage, kBatch> recv_names_{};
  std::array<rtc::TransportAddress, kBatch> recv_from_{};

  std::array<std::array<std::uint8_t, kMaxDatagramBytes>, kBatch> send_buffers_{};
  std::array<std::size_t, kBatch> send_lengths_{};
  std::array<rtc::TransportAddress, kBatch> send_to_{};
  std::size_t send_count_ = 0;
};

}  // namespace chorus::net
