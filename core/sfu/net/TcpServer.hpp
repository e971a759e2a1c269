// The ICE-TCP side of one media worker (RFC 6544 passive candidates, RFC 4571 framing), modelled
// on mediasoup's TcpServer/TcpConnection: a listening socket bound to the media port with
// SO_REUSEPORT (every worker has one; the kernel spreads connections over them), the connections
// it accepted, and an epoll set of its own whose descriptor the worker's EventLoop watches (one
// reader for all connections, so connections come and go without touching the loop).
//
// Every complete frame goes to the Listener (the worker's demultiplexer), which says whether to
// keep the connection, close it, or hand it to the worker that owns the participant its first
// STUN check names: the socket and its unread bytes then move there once (TcpHandoff), and the
// connection lives on that worker from then on, so frames never cross threads afterwards.
// Replies are queued framed on the connection (a bounded buffer per connection: a frame that does
// not fit is dropped and counted) and written by Flush() once per loop round.
//
// Limits: frames above max_frame_bytes close the connection; a connection with no valid ICE check
// within bind_timeout, or none for idle_timeout after, is closed; at most max_connections are
// open in the whole process (shared counter), beyond which new connections are closed at once.
// Thread affinity: the owning media worker thread; Counters() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/TcpConnection.hpp"
#include "rtc/TransportAddress.hpp"

namespace chorus::net {

struct TcpServerOptions {
  std::size_t max_frame_bytes = 1500;
  std::size_t send_buffer_bytes =
      std::size_t{64} * 1024;          // queued bytes per connection before drops
  std::size_t max_connections = 1000;  // process-wide, with the shared open counter
  std::chrono::steady_clock::duration bind_timeout = std::chrono::seconds(5);
  std::chrono::steady_clock::duration idle_timeout = std::chrono::seconds(30);
};

// Counters of one TcpServer. Written only by its worker thread (relaxed load+store), read by any.
struct TcpCounters {
  std::atomic<std::uint64_t> accepted{0};         // connections accepted (adoptions not counted)
  std::atomic<std::uint64_t> refused{0};          // closed at once: max_connections reached
  std::atomic<std::uint64_t> closed_unbound{0};   // no valid check in time, or a bad first frame
  std::atomic<std::uint64_t> closed_idle{0};      // checks stopped for idle_timeout
  std::atomic<std::uint64_t> closed_oversize{0};  // a frame longer than max_frame_bytes
  std::atomic<std::uint64_t> closed_peer{0};      // the peer closed or reset the connection
  std::atomic<std::uint64_t> handed_off{0};       // moved to the worker owning the participant
  std::atomic<std::uint64_t> frames_in{0};
  std::atomic<std::uint64_t> frames_out{0};
  std::atomic<std::uint64_t> send_dropped{0};  // frames for a full send buffer or a closed one

  static void Bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

// A connection on its way from one worker to another: the socket and the bytes read but not
// consumed (the first frame included). Closes the socket and releases its place in the
// connection count when dropped without being adopted.
class TcpHandoff {
 public:
  TcpHandoff() = default;
  TcpHandoff(int fd, rtc::TransportAddress path, std::chrono::steady_clock::time_point accepted,
             std::span<const std::uint8_t> unread, std::atomic<std::size_t>* open_connections);
  TcpHandoff(TcpHandoff&& other) noexcept;
  TcpHandoff& operator=(TcpHandoff&& other) noexcept;
  ~TcpHandoff();

  int ReleaseFd();
  const rtc::TransportAddress& Path() const { return path_; }
  std::chrono::steady_clock::time_point Accepted() const { return accepted_; }
  const std::vector<std::uint8_t>& Unread() const { return unread_; }

 private:
  void Reset();

  int fd_ = -1;
  rtc::TransportAddress path_;
  std::chrono::steady_clock::time_point accepted_{};
  std::vector<std::uint8_t> unread_;
  std::atomic<std::size_t>* open_connections_ = nullptr;
};

class TcpServer {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kBacklog = 128;
  static constexpr int kMaxEventsPerRound = 64;
  static constexpr int kMaxReadsPerEvent = 4;  // fairness between connections and the UDP socket
  static constexpr int kMaxAcceptsPerRound = 32;
  static constexpr auto kExpireInterval = std::chrono::milliseconds(250);
  static constexpr auto kAcceptWarningInterval = std::chrono::seconds(10);

  enum class Verdict { kKeep, kClose, kHandOff };

  // What the owning worker does with frames. Called on the worker thread.
  class Listener {
   public:
    virtual ~Listener() = default;
    // A complete frame from `connection`, in place (the callee may modify it). For kHandOff the
    // callee sets `*hand_off_to` (a worker index) and the frame stays unconsumed.
    virtual Verdict OnTcpFrame(TcpConnection& connection, std::span<std::uint8_t> frame,
                               Clock::time_point now, std::size_t* hand_off_to) = 0;
    // The server closed the connection of `path` by itself (peer gone, limits, timeouts).
    virtual void OnTcpClosed(const rtc::TransportAddress& path) = 0;
    // The connection left this server for worker `worker`: post `handoff` to it.
    virtual void OnTcpHandOff(TcpHandoff handoff, std::size_t worker) = 0;
  };

  // Opens a listening socket on `bind` (port 0 picks one) with SO_REUSEPORT. Returns nullptr and
  // fills `error` on failure. `open_connections` is shared by all servers of the process.
  static std::unique_ptr<TcpServer> Open(const rtc::TransportAddress& bind,
                                         const TcpServerOptions& options,
                                         std::atomic<std::size_t>& open_connections,
                                         std::string* error);
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  // Must be set before the first OnReadable.
  void SetListener(Listener* listener) { listener_ = listener; }

  // The epoll descriptor to watch for readability, and the bound port.
  int Fd() const { return epoll_fd_; }
  std::uint16_t LocalPort() const { return local_port_; }

  // Accepts, reads and writes whatever is ready (without blocking).
  void OnReadable(Clock::time_point now);
  // Queues `frame` on the connection of `path` (path.ConnectionId()). False (counted) when there
  // is no such connection or its send buffer is full.
  bool Send(const rtc::TransportAddress& path, std::span<const std::uint8_t> frame);
  // Writes the queued frames of every connection that got some since the last call.
  void Flush();
  // Closes connections past bind_timeout or idle_timeout, and resumes accepting after a pause
  // (checks every kExpireInterval).
  void Expire(Clock::time_point now);
  // Closes the connection `id` without telling the listener (its owner asked). No-op if unknown.
  void Close(std::uint32_t id);
  // Takes over a connection another worker handed over and processes its unread bytes.
  void Adopt(TcpHandoff handoff, Clock::time_point now);

  std::size_t ConnectionCount() const { return connections_.size(); }
  const TcpCounters& Counters() const { return counters_; }

 private:
  TcpServer(int listen_fd, int epoll_fd, std::uint16_t port, const TcpServerOptions& options,
            std::atomic<std::size_t>& open_connections);

  void AcceptAll(Clock::time_point now);
  // Stops watching the listener until the next Expire one interval later (accept failed for
  // lack of descriptors or memory).
  void PauseAccepting(Clock::time_point now);
  TcpConnection* Insert(int fd, const rtc::TransportAddress& path, Clock::time_point accepted);
  void Read(TcpConnection& connection, Clock::time_point now);
  // Feeds the buffered frames to the listener; false when the connection is gone after it.
  bool Deliver(TcpConnection& connection, Clock::time_point now);
  void FlushOne(TcpConnection& connection);
  void Watch(TcpConnection& connection, bool writable);
  // Closes and forgets the connection; tells the listener when `notify`.
  void Destroy(std::uint32_t id, std::atomic<std::uint64_t>* reason, bool notify);

  int listen_fd_;
  int epoll_fd_;
  std::uint16_t local_port_;
  TcpServerOptions options_;
  std::atomic<std::size_t>& open_connections_;
  Listener* listener_ = nullptr;
  std::unordered_map<std::uint32_t, std::unique_ptr<TcpConnection>> connections_;
  std::vector<std::uint32_t> dirty_;  // connections with queued frames, flushed after the round
  std::uint32_t delivering_ = 0;      // the connection whose frames are being delivered
  bool close_after_delivery_ = false;
  Clock::time_point next_expire_{};
  Clock::time_point next_accept_warning_{};
  std::optional<Clock::time_point> accept_paused_until_;
  TcpCounters counters_;
};

}  // namespace chorus::net
