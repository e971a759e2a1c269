#include "net/UdpSocket.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstring>

namespace chorus::net {

namespace {

// True for 0.0.0.0 and :: (the socket then receives on every local address).
bool IsWildcard(const rtc::TransportAddress& address) {
  std::uint8_t ip[16];
  const std::size_t length = address.IpBytes(ip);
  for (std::size_t i = 0; i < length; ++i) {
    if (ip[i] != 0) return false;
  }
  return length != 0;
}

}  // namespace

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
  // A wildcard socket answers on every local address: learn each datagram's destination so the
  // reply can leave from it. An IPv6 socket gets IPV6_PKTINFO for IPv4-mapped peers too.
  const bool pktinfo = IsWildcard(bind);
  if (pktinfo) {
    const bool ok = bind.IsIpv6()
                        ? ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) == 0
                        : ::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) == 0;
    if (!ok) {
      if (error) *error = std::string("IP_PKTINFO: ") + std::strerror(errno);
      ::close(fd);
      return nullptr;
    }
  }
  sockaddr_storage local{};
  socklen_t local_len = sizeof(local);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len);
  const auto address =
      rtc::TransportAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&local), local_len);
  return std::unique_ptr<UdpSocket>(
      new UdpSocket(fd, address ? address->Port() : 0, bind.IsIpv6(), pktinfo));
}

UdpSocket::UdpSocket(int fd, std::uint16_t port, bool ipv6, bool pktinfo)
    : fd_(fd), local_port_(port), ipv6_(ipv6), pktinfo_(pktinfo) {}

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
    if (pktinfo_) {
      messages[i].msg_hdr.msg_control = recv_control_[i].bytes.data();
      messages[i].msg_hdr.msg_controllen = kControlBytes;
    }
  }
  const int n = ::recvmmsg(fd_, messages.data(), kBatch, MSG_DONTWAIT, nullptr);
  if (n <= 0) return 0;
  std::size_t ready = 0;
  for (int i = 0; i < n; ++i) {
    auto& header = messages[i].msg_hdr;
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
    recv_local_[ready] = pktinfo_ ? LocalFromControl(header) : rtc::TransportAddress();
    ++counters_.received;
    counters_.received_bytes += messages[i].msg_len;
    ++ready;
  }
  return ready;
}

rtc::TransportAddress UdpSocket::LocalFromControl(msghdr& header) const {
  for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
        c->cmsg_len >= CMSG_LEN(sizeof(in_pktinfo))) {
      in_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      // ipi_spec_dst: the local address the datagram was for (for a broadcast, the interface's
      // own address), the one a reply may leave from.
      std::array<std::uint8_t, 4> ip{};
      std::memcpy(ip.data(), &info.ipi_spec_dst, ip.size());
      return rtc::TransportAddress::FromIpv4(ip, local_port_);
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
        c->cmsg_len >= CMSG_LEN(sizeof(in6_pktinfo))) {
      in6_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      if (IN6_IS_ADDR_MULTICAST(&info.ipi6_addr)) return {};  // no source to reply from
      std::array<std::uint8_t, 16> ip{};
      std::memcpy(ip.data(), &info.ipi6_addr, ip.size());
      return rtc::TransportAddress::FromIpv6(ip, local_port_);
    }
  }
  return {};
}

std::size_t UdpSocket::WriteSourceControl(std::size_t slot, const rtc::TransportAddress& source) {
  if (!pktinfo_ || !source.IsValid() || source.IsIpv6() != ipv6_) return 0;
  auto& buffer = send_control_[slot].bytes;
  std::uint8_t ip[16];
  source.IpBytes(ip);
  msghdr header{};
  header.msg_control = buffer.data();
  header.msg_controllen = buffer.size();
  cmsghdr* c = CMSG_FIRSTHDR(&header);
  if (ipv6_) {
    // ipi6_ifindex 0: the route to `to` picks the interface; the source only has to be local.
    in6_pktinfo info{};
    std::memcpy(&info.ipi6_addr, ip, sizeof(info.ipi6_addr));
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(info));
    std::memcpy(CMSG_DATA(c), &info, sizeof(info));
    return CMSG_SPACE(sizeof(info));
  }
  in_pktinfo info{};
  std::memcpy(&info.ipi_spec_dst, ip, sizeof(info.ipi_spec_dst));
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(info));
  std::memcpy(CMSG_DATA(c), &info, sizeof(info));
  return CMSG_SPACE(sizeof(info));
}

bool UdpSocket::Queue(const rtc::TransportAddress& to, std::span<const std::uint8_t> datagram,
                      const rtc::TransportAddress& source) {
  if (datagram.size() > kMaxDatagramBytes || !to.IsValid()) {
    ++counters_.send_errors;
    return false;
  }
  if (send_count_ == kBatch) Flush();
  std::memcpy(send_buffers_[send_count_].data(), datagram.data(), datagram.size());
  send_lengths_[send_count_] = datagram.size();
  send_to_[send_count_] = to;
  send_control_lengths_[send_count_] = WriteSourceControl(send_count_, source);
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
    if (send_control_lengths_[i] != 0) {
      messages[i].msg_hdr.msg_control = send_control_[i].bytes.data();
      messages[i].msg_hdr.msg_controllen = send_control_lengths_[i];
    }
  }
  std::size_t done = 0;
  while (done < send_count_) {
    const int n = ::sendmmsg(fd_, messages.data() + done, static_cast<unsigned>(send_count_ - done),
                             MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      // The first datagram failed (buffer full, unreachable, source address gone): count it and go
      // on with the rest.
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
