#include "net/TcpServer.hpp"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

#include <spdlog/spdlog.h>

namespace chorus::net {
namespace {

constexpr std::uint64_t kListenerKey = 0;  // epoll key of the listening socket; ids start at 1
constexpr std::size_t kMaxDirtyReserve = 4096;

// Connection ids are unique in the process (a path carries one, whichever worker holds it).
std::uint32_t NextConnectionId() {
  static std::atomic<std::uint32_t> next{1};
  std::uint32_t id = next.fetch_add(1, std::memory_order_relaxed);
  while (id == 0) id = next.fetch_add(1, std::memory_order_relaxed);
  return id;
}

std::string Errno(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace

TcpHandoff::TcpHandoff(int fd, rtc::TransportAddress path,
                       std::chrono::steady_clock::time_point accepted,
                       std::span<const std::uint8_t> unread,
                       std::atomic<std::size_t>* open_connections)
    : fd_(fd),
      path_(path),
      accepted_(accepted),
      unread_(unread.begin(), unread.end()),
      open_connections_(open_connections) {}

TcpHandoff::TcpHandoff(TcpHandoff&& other) noexcept
    : fd_(other.fd_),
      path_(other.path_),
      accepted_(other.accepted_),
      unread_(std::move(other.unread_)),
      open_connections_(other.open_connections_) {
  other.fd_ = -1;
}

TcpHandoff& TcpHandoff::operator=(TcpHandoff&& other) noexcept {
  if (this != &other) {
    Reset();
    fd_ = other.fd_;
    path_ = other.path_;
    accepted_ = other.accepted_;
    unread_ = std::move(other.unread_);
    open_connections_ = other.open_connections_;
    other.fd_ = -1;
  }
  return *this;
}

TcpHandoff::~TcpHandoff() {
  Reset();
}

void TcpHandoff::Reset() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  if (open_connections_) open_connections_->fetch_sub(1, std::memory_order_relaxed);
}

int TcpHandoff::ReleaseFd() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

std::unique_ptr<TcpServer> TcpServer::Open(const rtc::TransportAddress& bind,
                                           const TcpServerOptions& options,
                                           std::atomic<std::size_t>& open_connections,
                                           std::string* error) {
  const int family = bind.IsIpv6() ? AF_INET6 : AF_INET;
  const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    if (error) *error = Errno("tcp socket");
    return nullptr;
  }
  const auto fail = [&](std::string message) -> std::unique_ptr<TcpServer> {
    if (error) *error = std::move(message);
    ::close(fd);
    return nullptr;
  };
  const int one = 1;
  // SO_REUSEADDR: a restart binds again while old connections sit in TIME_WAIT.
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    return fail(Errno("tcp SO_REUSEADDR/SO_REUSEPORT"));
  }
  if (::bind(fd, bind.Sockaddr(), bind.SockaddrLength()) != 0) {
    return fail("tcp bind " + bind.ToString() + ": " + std::strerror(errno));
  }
  if (::listen(fd, kBacklog) != 0) return fail(Errno("tcp listen"));
  sockaddr_storage local{};
  socklen_t local_len = sizeof(local);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len);
  const auto address =
      rtc::TransportAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&local), local_len);
  const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return fail(Errno("tcp epoll_create1"));
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kListenerKey;
  if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
    ::close(epoll_fd);
    return fail(Errno("tcp epoll_ctl"));
  }
  return std::unique_ptr<TcpServer>(
      new TcpServer(fd, epoll_fd, address ? address->Port() : 0, options, open_connections));
}

TcpServer::TcpServer(int listen_fd, int epoll_fd, std::uint16_t port,
                     const TcpServerOptions& options, std::atomic<std::size_t>& open_connections)
    : listen_fd_(listen_fd),
      epoll_fd_(epoll_fd),
      local_port_(port),
      options_(options),
      open_connections_(open_connections) {
  dirty_.reserve(std::min(options_.max_connections, kMaxDirtyReserve));
}

TcpServer::~TcpServer() {
  const std::size_t count = connections_.size();
  connections_.clear();  // closes the sockets
  open_connections_.fetch_sub(count, std::memory_order_relaxed);
  ::close(listen_fd_);
  ::close(epoll_fd_);
}

void TcpServer::OnReadable(Clock::time_point now) {
  std::array<epoll_event, kMaxEventsPerRound> events{};
  const int n = ::epoll_wait(epoll_fd_, events.data(), kMaxEventsPerRound, 0);
  for (int i = 0; i < n; ++i) {
    const std::uint64_t key = events[i].data.u64;
    if (key == kListenerKey) {
      AcceptAll(now);
      continue;
    }
    const auto id = static_cast<std::uint32_t>(key);
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;  // closed earlier in this round
    if ((events[i].events & EPOLLOUT) != 0) {
      FlushOne(*it->second);
      it = connections_.find(id);
      if (it == connections_.end()) continue;
    }
    if ((events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) Read(*it->second, now);
  }
}

void TcpServer::AcceptAll(Clock::time_point now) {
  for (int i = 0; i < kMaxAcceptsPerRound; ++i) {
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof(peer);
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &peer_len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // Out of descriptors or memory: the pending connection stays queued and the listener
      // readable, so stop watching it for a while instead of spinning (Expire resumes).
      if (now >= next_accept_warning_) {
        next_accept_warning_ = now + kAcceptWarningInterval;
        spdlog::warn("[ice] tcp accept failed, pausing accepts port={} error={}", local_port_,
                     std::strerror(errno));
      }
      PauseAccepting(now);
      return;
    }
    // Accepted and closed at once beyond the limit, so the backlog drains.
    if (open_connections_.fetch_add(1, std::memory_order_relaxed) >= options_.max_connections) {
      open_connections_.fetch_sub(1, std::memory_order_relaxed);
      ::close(fd);
      TcpCounters::Bump(counters_.refused);
      continue;
    }
    const auto address =
        rtc::TransportAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&peer), peer_len);
    if (!address) {
      open_connections_.fetch_sub(1, std::memory_order_relaxed);
      ::close(fd);
      continue;
    }
    const int one = 1;  // media packets go out as they are queued, not coalesced (Nagle)
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (Insert(fd, address->WithConnection(NextConnectionId()), now)) {
      TcpCounters::Bump(counters_.accepted);
    }
  }
}

TcpConnection* TcpServer::Insert(int fd, const rtc::TransportAddress& path,
                                 Clock::time_point accepted) {
  auto connection = std::make_unique<TcpConnection>(fd, path, options_.max_frame_bytes,
                                                    options_.send_buffer_bytes, accepted);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = path.ConnectionId();
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    open_connections_.fetch_sub(1, std::memory_order_relaxed);
    return nullptr;  // the connection's destructor closes the socket
  }
  TcpConnection* raw = connection.get();
  connections_.emplace(path.ConnectionId(), std::move(connection));
  return raw;
}

void TcpServer::Read(TcpConnection& connection, Clock::time_point now) {
  const std::uint32_t id = connection.Id();
  for (int i = 0; i < kMaxReadsPerEvent; ++i) {
    const auto space = connection.Reader().WritableSpan();
    const ssize_t n = ::recv(connection.Fd(), space.data(), space.size(), MSG_DONTWAIT);
    if (n == 0) {
      Destroy(id, &counters_.closed_peer, true);
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      Destroy(id, &counters_.closed_peer, true);
      return;
    }
    connection.Reader().Commit(static_cast<std::size_t>(n));
    if (!Deliver(connection, now)) return;
    if (static_cast<std::size_t>(n) < space.size()) return;  // drained
  }
}

bool TcpServer::Deliver(TcpConnection& connection, Clock::time_point now) {
  const std::uint32_t id = connection.Id();
  delivering_ = id;
  close_after_delivery_ = false;
  for (;;) {
    std::span<std::uint8_t> frame;
    const auto status = connection.Reader().Next(&frame);
    if (status == rtc::Rfc4571Framer::Status::kNeedMore) break;
    if (status == rtc::Rfc4571Framer::Status::kOversize) {
      delivering_ = 0;
      spdlog::debug("[ice] tcp frame too long, closing path={}", connection.Path().ToString());
      Destroy(id, &counters_.closed_oversize, true);
      return false;
    }
    std::size_t hand_off_to = 0;
    const Verdict verdict = listener_->OnTcpFrame(connection, frame, now, &hand_off_to);
    // A frame handed over is counted where it is consumed.
    if (verdict != Verdict::kHandOff) TcpCounters::Bump(counters_.frames_in);
    if (close_after_delivery_) {  // the owner closed it from inside the callback
      delivering_ = 0;
      Destroy(id, nullptr, false);
      return false;
    }
    if (verdict == Verdict::kClose) {
      delivering_ = 0;
      Destroy(id, &counters_.closed_unbound, false);
      return false;
    }
    if (verdict == Verdict::kHandOff) {
      delivering_ = 0;
      connection.Reader().Rewind();
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection.Fd(), nullptr);
      TcpHandoff handoff(connection.ReleaseFd(), connection.Path(), connection.Accepted(),
                         connection.Reader().Unread(), &open_connections_);
      connections_.erase(id);  // the socket was released: the connection's place stays counted
      TcpCounters::Bump(counters_.handed_off);
      listener_->OnTcpHandOff(std::move(handoff), hand_off_to);
      return false;
    }
  }
  delivering_ = 0;
  return true;
}

bool TcpServer::Send(const rtc::TransportAddress& path, std::span<const std::uint8_t> frame) {
  const auto it = connections_.find(path.ConnectionId());
  if (it == connections_.end() || !it->second->QueueFrame(frame)) {
    TcpCounters::Bump(counters_.send_dropped);
    return false;
  }
  TcpCounters::Bump(counters_.frames_out);
  TcpConnection& connection = *it->second;
  if (!connection.dirty) {
    connection.dirty = true;
    dirty_.push_back(connection.Id());
  }
  return true;
}

void TcpServer::Flush() {
  // Index loop: a failing connection's removal never touches dirty_.
  for (std::size_t i = 0; i < dirty_.size(); ++i) {
    const auto it = connections_.find(dirty_[i]);
    if (it == connections_.end()) continue;
    it->second->dirty = false;
    FlushOne(*it->second);
  }
  dirty_.clear();
}

void TcpServer::FlushOne(TcpConnection& connection) {
  switch (connection.Flush()) {
    case TcpConnection::FlushResult::kDone:
      if (connection.want_write) Watch(connection, false);
      break;
    case TcpConnection::FlushResult::kPending:
      if (!connection.want_write) Watch(connection, true);
      break;
    case TcpConnection::FlushResult::kError:
      Destroy(connection.Id(), &counters_.closed_peer, true);
      break;
  }
}

void TcpServer::Watch(TcpConnection& connection, bool writable) {
  epoll_event event{};
  event.events = EPOLLIN | (writable ? EPOLLOUT : 0u);
  event.data.u64 = connection.Id();
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, connection.Fd(), &event);
  connection.want_write = writable;
}

void TcpServer::PauseAccepting(Clock::time_point now) {
  epoll_event event{};
  event.events = 0;
  event.data.u64 = kListenerKey;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &event);
  accept_paused_until_ = now + kExpireInterval;
}

void TcpServer::Expire(Clock::time_point now) {
  if (now < next_expire_) return;
  next_expire_ = now + kExpireInterval;
  if (accept_paused_until_ && now >= *accept_paused_until_) {
    accept_paused_until_.reset();
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kListenerKey;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &event);
  }
  for (auto it = connections_.begin(); it != connections_.end();) {
    const TcpConnection& connection = *it->second;
    const bool bound = connection.Bound();
    const bool expired = bound ? now - connection.LastAlive() > options_.idle_timeout
                               : now - connection.Accepted() > options_.bind_timeout;
    if (!expired) {
      ++it;
      continue;
    }
    const rtc::TransportAddress path = connection.Path();
    spdlog::debug("[ice] tcp connection {} path={}", bound ? "idle" : "never bound",
                  path.ToString());
    TcpCounters::Bump(bound ? counters_.closed_idle : counters_.closed_unbound);
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection.Fd(), nullptr);
    it = connections_.erase(it);
    open_connections_.fetch_sub(1, std::memory_order_relaxed);
    if (listener_) listener_->OnTcpClosed(path);
  }
}

void TcpServer::Close(std::uint32_t id) {
  if (id != 0 && id == delivering_) {
    close_after_delivery_ = true;
    return;
  }
  Destroy(id, nullptr, false);
}

void TcpServer::Destroy(std::uint32_t id, std::atomic<std::uint64_t>* reason, bool notify) {
  const auto it = connections_.find(id);
  if (it == connections_.end()) return;
  const rtc::TransportAddress path = it->second->Path();
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second->Fd(), nullptr);
  connections_.erase(it);
  open_connections_.fetch_sub(1, std::memory_order_relaxed);
  if (reason) TcpCounters::Bump(*reason);
  if (notify && listener_) listener_->OnTcpClosed(path);
}

void TcpServer::Adopt(TcpHandoff handoff, Clock::time_point now) {
  const int fd = handoff.ReleaseFd();
  if (fd < 0) return;
  TcpConnection* connection = Insert(fd, handoff.Path(), handoff.Accepted());
  if (!connection) return;
  connection->SetAdopted();
  // The unread bytes came from a framer of the same size: they fit.
  connection->Reader().Append(handoff.Unread());
  Deliver(*connection, now);
}

}  // namespace chorus::net
