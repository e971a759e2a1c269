// Shared state of the SSE fan-out measurement: which event the listeners wait for, when its
// request was sent, and how many listeners are connected and have seen it. Single-threaded:
// used only on the benchmark's one io_context thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "Stats.hpp"

namespace chorus::bench {

using Clock = std::chrono::steady_clock;

class FanoutProbe {
 public:
  explicit FanoutProbe(boost::asio::any_io_executor ex) : timer_(std::move(ex)) {}

  // Starts waiting for event `type` about `user_id` at `target` listeners; latencies count from
  // `sent`. The waiter is woken only once all `target` deliveries arrived (waking it on each
  // delivery would add the generator's own work to the measured tail).
  void Expect(std::string type, std::int64_t user_id, Clock::time_point sent, std::size_t target);
  // Called by a listener for each frame; `seen` is the listener's last counted event number.
  // Records the latency when the frame is the expected event and this listener had not yet
  // counted it.
  void OnFrame(std::uint64_t& seen, std::string_view event, std::string_view data,
               Clock::time_point received);
  // A listener got its `hello` (ready) or its stream ended (closed).
  void OnReady();
  void OnClosed(bool was_ready);

  // Waits until `pred()` holds or `timeout` passes; true when it holds.
  boost::asio::awaitable<bool> WaitFor(std::function<bool()> pred, Clock::duration timeout);

  std::size_t Ready() const { return ready_; }
  std::size_t Closed() const { return closed_; }
  std::size_t Received() const { return received_; }
  std::uint64_t EventNumber() const { return event_number_; }
  // Per delivery: time from the request's send, and time after the event's first delivery
  // (the spread of the fan-out itself, without the request's own processing).
  Stats& Latencies() { return latencies_; }
  Stats& Spread() { return spread_; }
  // Drops the recorded latencies (a new listener count starts).
  void ResetLatencies() {
    latencies_ = Stats();
    spread_ = Stats();
  }

 private:
  void Notify() { timer_.cancel(); }

  boost::asio::steady_timer timer_;
  std::string type_;
  std::string user_pattern_;  // "\"user_id\":N"
  Clock::time_point sent_{}, first_{};
  std::uint64_t event_number_ = 0;
  std::size_t received_ = 0, ready_ = 0, closed_ = 0, target_ = 0;
  Stats latencies_, spread_;
};

}  // namespace chorus::bench
