#include "net/TcpConnection.hpp"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace chorus::net {

TcpConnection::TcpConnection(int fd, const rtc::TransportAddress& path, std::size_t max_frame_bytes,
                             std::size_t send_buffer_bytes, Clock::time_point accepted)
    : fd_(fd),
      path_(path),
      reader_(max_frame_bytes),
      // Room for at least one whole frame, so an empty buffer always takes the next one.
      send_capacity_(std::max(send_buffer_bytes,
                              rtc::Rfc4571Framer::kHeaderBytes + rtc::Rfc4571Framer::kMaxLength)),
      send_(std::make_unique<std::uint8_t[]>(send_capacity_)),
      accepted_(accepted),
      last_alive_(accepted) {}

TcpConnection::~TcpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

int TcpConnection::ReleaseFd() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

bool TcpConnection::QueueFrame(std::span<const std::uint8_t> payload) {
  const std::size_t need = rtc::Rfc4571Framer::kHeaderBytes + payload.size();
  if (payload.size() > rtc::Rfc4571Framer::kMaxLength) return false;
  if (send_capacity_ - tail_ < need && head_ > 0) {
    std::memmove(send_.get(), send_.get() + head_, tail_ - head_);
    tail_ -= head_;
    head_ = 0;
  }
  if (send_capacity_ - tail_ < need) return false;
  rtc::Rfc4571Framer::WriteHeader(payload.size(),
                                  std::span<std::uint8_t, rtc::Rfc4571Framer::kHeaderBytes>(
                                      send_.get() + tail_, rtc::Rfc4571Framer::kHeaderBytes));
  if (!payload.empty()) {
    std::memcpy(send_.get() + tail_ + rtc::Rfc4571Framer::kHeaderBytes, payload.data(),
                payload.size());
  }
  tail_ += need;
  return true;
}

TcpConnection::FlushResult TcpConnection::Flush() {
  while (head_ < tail_) {
    const ssize_t n = ::send(fd_, send_.get() + head_, tail_ - head_, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      head_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return FlushResult::kPending;
    return FlushResult::kError;
  }
  head_ = tail_ = 0;
  return FlushResult::kDone;
}

}  // namespace chorus::net
