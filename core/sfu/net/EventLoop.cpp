#include "net/EventLoop.hpp"

#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace chorus::net {

EventLoop::EventLoop(std::string name) : name_(std::move(name)) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    throw std::runtime_error(std::string("epoll/eventfd: ") + std::strerror(errno));
  }
  // Reserved so later AddReader calls (before Start) never move a vector the loop reads.
  readers_.reserve(8);
  AddReader(wake_fd_, [this] {
    std::uint64_t value = 0;
    while (::read(wake_fd_, &value, sizeof(value)) == sizeof(value)) {
    }
  });
}

EventLoop::~EventLoop() {
  Stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void EventLoop::AddReader(int fd, std::function<void()> on_readable) {
  readers_.push_back({fd, std::move(on_readable)});
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = readers_.size() - 1;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(errno));
  }
}

void EventLoop::AddPeriodic(Clock::duration interval, std::function<void(Clock::time_point)> fn) {
  timers_.push_back({interval, Clock::now() + interval, std::move(fn)});
}

bool EventLoop::Post(Task task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || posted_.size() >= kMaxPostedTasks) return false;
    posted_.push_back(std::move(task));
  }
  Wake();
  return true;
}

void EventLoop::Wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof(one));
}

void EventLoop::Start() {
  thread_ = std::thread([this] { Run(); });
}

void EventLoop::Stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  Wake();
  thread_.join();
}

int EventLoop::TimeoutMs(Clock::time_point now) const {
  if (timers_.empty()) return 1000;
  Clock::time_point next = timers_.front().next;
  for (const auto& timer : timers_) next = std::min(next, timer.next);
  if (next <= now) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
  return static_cast<int>(std::min<std::int64_t>(ms, 1000));
}

void EventLoop::RunPosted() {
  {
    std::lock_guard lock(mu_);
    running_.swap(posted_);
  }
  for (auto& task : running_) {
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("[worker] posted task failed loop={} error={}", name_, e.what());
    }
  }
  running_.clear();
}

void EventLoop::Run() {
  thread_id_ = std::this_thread::get_id();
  pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
  std::array<epoll_event, kMaxEvents> events{};
  while (!stopping_) {
    const int n = ::epoll_wait(epoll_fd_, events.data(), kMaxEvents, TimeoutMs(Clock::now()));
    if (n < 0 && errno != EINTR) {
      spdlog::error("[worker] epoll_wait failed loop={} error={}", name_, std::strerror(errno));
      break;
    }
    for (int i = 0; i < n; ++i) {
      const auto index = events[i].data.u64;
      if (index < readers_.size()) readers_[index].fn();
    }
    RunPosted();
    const auto now = Clock::now();
    for (auto& timer : timers_) {
      if (timer.next <= now) {
        timer.fn(now);
        // Skip missed periods instead of firing back to back after a stall.
        timer.next = std::max(timer.next + timer.interval, now);
      }
    }
    if (after_round_) after_round_();
  }
  RunPosted();
  if (after_round_) after_round_();
}

}  // namespace chorus::net
