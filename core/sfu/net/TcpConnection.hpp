// One accepted ICE-TCP connection (RFC 6544 passive candidate): its socket, the RFC 4571 framer
// its bytes are read into, and a bounded send buffer of framed packets written without blocking.
// Every buffer is preallocated when the connection is made: reading, queueing and flushing
// allocate nothing. TcpServer owns connections and drives them.
// Thread affinity: the owning media worker thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "rtc/Rfc4571Framer.hpp"
#include "rtc/TransportAddress.hpp"

namespace chorus::net {

class TcpConnection {
 public:
  using Clock = std::chrono::steady_clock;

  enum class FlushResult { kDone, kPending, kError };

  // Takes ownership of the connected, non-blocking socket `fd`. `path` is the peer's address
  // tagged with this connection's id (TransportAddress::WithConnection).
  TcpConnection(int fd, const rtc::TransportAddress& path, std::size_t max_frame_bytes,
                std::size_t send_buffer_bytes, Clock::time_point accepted);
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  int Fd() const { return fd_; }
  std::uint32_t Id() const { return path_.ConnectionId(); }
  const rtc::TransportAddress& Path() const { return path_; }
  rtc::Rfc4571Framer& Reader() { return reader_; }

  // Gives the socket up (it is not closed by the destructor then); -1 if already released.
  int ReleaseFd();

  // Appends `payload` with its RFC 4571 header to the send buffer. Returns false (nothing
  // queued) when it does not fit in the free space or exceeds a frame's maximum length.
  bool QueueFrame(std::span<const std::uint8_t> payload);
  // Writes as much of the send buffer as the kernel takes: kDone when empty, kPending when the
  // kernel's buffer is full (wait for writability), kError when the connection broke.
  FlushResult Flush();
  bool HasQueued() const { return head_ != tail_; }

  // ICE state of the path: bound once a valid check (RFC 8445 §7.3) arrived on it; alive until
  // checks (consent, RFC 7675) stop.
  void MarkAlive(Clock::time_point now) {
    bound_ = true;
    last_alive_ = now;
  }
  bool Bound() const { return bound_; }
  Clock::time_point LastAlive() const { return last_alive_; }
  Clock::time_point Accepted() const { return accepted_; }

  // Handed over from another worker (never handed on again).
  bool Adopted() const { return adopted_; }
  void SetAdopted() { adopted_ = true; }

  // TcpServer bookkeeping: in the list of connections to flush; waiting for EPOLLOUT.
  bool dirty = false;
  bool want_write = false;

 private:
  int fd_;
  rtc::TransportAddress path_;
  rtc::Rfc4571Framer reader_;
  std::size_t send_capacity_;
  std::unique_ptr<std::uint8_t[]> send_;
  std::size_t head_ = 0, tail_ = 0;  // queued bytes are [head_, tail_)
  Clock::time_point accepted_, last_alive_;
  bool bound_ = false;
  bool adopted_ = false;
};

}  // namespace chorus::net
