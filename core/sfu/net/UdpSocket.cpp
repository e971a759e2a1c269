#include "net/UdpSocket.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstring>

namespace chorus::net {

std::unique_ptr<UdpSocket> UdpSocket::Open(const rtc::TransportAddress& bind, bool reuse_port,
                                           std::string* error) {
  const int family = bind.IsIpv6() ? AF_INET6 : AF_INET;
  const int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    if (error) *error = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
  const int one = 1;
  if (reuse_port && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    if (error) *error = std::string("SO_REUSEPORT: ") + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  // Larger kernel buffers absorb bursts between two epoll rounds; the kernel may cap them.
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kSocketBufferBytes, sizeof(kSocketBufferBytes));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSocketBufferBytes, sizeof(kSocketBufferBytes));
  if (::bind(fd, bind.Sockaddr(), bind.SockaddrLength()) != 0) {
    if (error) {
      *error = "bind " + bind.ToString() + ": " + std::strerror(errno);
    }
    ::close(fd);
    return nullptr;
  }
  sockaddr_storage local{};
  socklen_t local_len = sizeof(local);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len);
  const auto address =
      rtc::TransportAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&local), local_len);
  return std::unique_ptr<UdpSocket>(new UdpSocket(fd, address ? address->Port() : 0));
}

UdpSocket::UdpSocket(int fd, std::uint16_t port) : fd_(fd), local_port_(port) {}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t UdpSocket::ReceiveBatch() {
  std::array<mmsghdr, kBatch> messages{};
  std::array<iovec, kBatch> iov{};
  for (std::size_t i = 0; i < kBatch; ++i) {
    iov[i] = {recv_buffers_[i].data(), kMaxDatagramBytes};
    messages[i].msg_hdr.msg_iov = &iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    messages[i].msg_hdr.msg_name = &recv_names_[i];
    messages[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
  }
  const int n = ::recvmmsg(fd_, messages.data(), kBatch, MSG_DONTWAIT, nullptr);
  if (n <= 0) return 0;
  std::size_t ready = 0;
  for (int i = 0; i < n; ++i) {
    const auto& header = messages[i].msg_hdr;
    if ((header.msg_flags & MSG_TRUNC) != 0) {
      ++counters_.truncated;
      continue;
    }
    auto from = rtc::TransportAddress::FromSockaddr(static_cast<const sockaddr*>(header.msg_name),
                                                    header.msg_namelen);
    if (!from) continue;
    // Compact the ready datagrams to the front (a dropped one leaves a hole otherwise).
    if (ready != static_cast<std::size_t>(i)) {
      std::memcpy(recv_buffers_[ready].data(), recv_buffers_[i].data(), messages[i].msg_len);
    }
    recv_lengths_[ready] = messages[i].msg_len;
    recv_from_[ready] = *from;
    ++counters_.received;
    counters_.received_bytes += messages[i].msg_len;
    ++ready;
  }
  return ready;
}

bool UdpSocket::Queue(const rtc::TransportAddress& to, std::span<const std::uint8_t> datagram) {
  if (datagram.size() > kMaxDatagramBytes || !to.IsValid()) {
    ++counters_.send_errors;
    return false;
  }
  if (send_count_ == kBatch) Flush();
  std::memcpy(send_buffers_[send_count_].data(), datagram.data(), datagram.size());
  send_lengths_[send_count_] = datagram.size();
  send_to_[send_count_] = to;
  ++send_count_;
  return true;
}

std::size_t UdpSocket::Flush() {
  if (send_count_ == 0) return 0;
  std::array<mmsghdr, kBatch> messages{};
  std::array<iovec, kBatch> iov{};
  for (std::size_t i = 0; i < send_count_; ++i) {
    iov[i] = {send_buffers_[i].data(), send_lengths_[i]};
    messages[i].msg_hdr.msg_iov = &iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    messages[i].msg_hdr.msg_name = const_cast<sockaddr*>(send_to_[i].Sockaddr());
    messages[i].msg_hdr.msg_namelen = send_to_[i].SockaddrLength();
  }
  std::size_t done = 0;
  while (done < send_count_) {
    const int n = ::sendmmsg(fd_, messages.data() + done, static_cast<unsigned>(send_count_ - done),
                             MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      // The first datagram failed (buffer full, unreachable): count it and go on with the rest.
      ++counters_.send_errors;
      ++done;
      continue;
    }
    for (int i = 0; i < n; ++i) counters_.sent_bytes += send_lengths_[done + i];
    counters_.sent += static_cast<std::uint64_t>(n);
    done += static_cast<std::size_t>(n);
  }
  send_count_ = 0;
  return done;
}

}  // namespace chorus::net
