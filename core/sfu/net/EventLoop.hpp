// A tiny epoll loop on its own thread (in the spirit of Redis's ae.c): file descriptor handlers,
// periodic timers checked each round, and Post() for other threads (a mutex-protected queue
// plus an eventfd wake-up; posting is control plane, the packet path never posts).
// Thread affinity: Post() and Stop() from any thread; everything else from the loop thread, or
// before Start().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace chorus::net {

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using Task = std::function<void()>;

  static constexpr std::size_t kMaxPostedTasks = 65536;  // Post() refuses beyond this
  static constexpr int kMaxEvents = 16;

  // Creates the epoll and eventfd descriptors; throws std::runtime_error if the kernel refuses.
  explicit EventLoop(std::string name);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Calls `on_readable` on the loop thread whenever `fd` is readable (level-triggered).
  void AddReader(int fd, std::function<void()> on_readable);

  // Calls `fn` every `interval` on the loop thread (first call one interval from now).
  void AddPeriodic(Clock::duration interval, std::function<void(Clock::time_point)> fn);

  // Calls `fn` on the loop thread after each round of handlers (e.g. to flush send batches).
  void SetAfterRound(std::function<void()> fn) { after_round_ = std::move(fn); }

  // Queues `task` to run on the loop thread. Returns false when the queue is full or the loop
  // stopped (the task is dropped).
  bool Post(Task task);

  // Wakes the loop from any thread without a task (async-signal-safe write to the eventfd).
  void Wake();

  // Starts the loop thread.
  void Start();
  // Stops the loop after its current round and joins the thread (runs remaining posted tasks).
  void Stop();

  // True when called on the loop thread.
  bool InLoopThread() const { return std::this_thread::get_id() == thread_id_; }

 private:
  struct Reader {
    int fd;
    std::function<void()> fn;
  };
  struct Timer {
    Clock::duration interval;
    Clock::time_point next;
    std::function<void(Clock::time_point)> fn;
  };

  void Run();
  void RunPosted();
  int TimeoutMs(Clock::time_point now) const;

  std::string name_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::vector<Reader> readers_;
  std::vector<Timer> timers_;
  std::function<void()> after_round_;
  std::mutex mu_;
  std::vector<Task> posted_;
  std::vector<Task> running_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::thread::id thread_id_;
};

}  // namespace chorus::net
