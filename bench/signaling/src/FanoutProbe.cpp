#include "FanoutProbe.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>

namespace chorus::bench {
namespace asio = boost::asio;

void FanoutProbe::Expect(std::string type, std::int64_t user_id, Clock::time_point sent,
                         std::size_t target) {
  target_ = target;
  type_ = std::move(type);
  user_pattern_ = "\"user_id\":" + std::to_string(user_id);
  sent_ = sent;
  received_ = 0;
  ++event_number_;
}

void FanoutProbe::OnFrame(std::uint64_t& seen, std::string_view event, std::string_view data,
                          Clock::time_point received) {
  if (event_number_ == 0 || seen == event_number_ || event != type_) return;
  // member_joined carries member.user_id, member_left user_id: either way the first
  // "user_id":N in the data names the member (a digit after N would be another id).
  const auto at = data.find(user_pattern_);
  if (at == std::string_view::npos) return;
  const auto after = at + user_pattern_.size();
  if (after < data.size() && std::isdigit(static_cast<unsigned char>(data[after]))) return;
  seen = event_number_;
  if (received_ == 0) first_ = received;
  latencies_.Add(std::chrono::duration<double, std::milli>(received - sent_).count());
  spread_.Add(std::chrono::duration<double, std::milli>(received - first_).count());
  ++received_;
  if (received_ >= target_) Notify();
}

void FanoutProbe::OnReady() {
  ++ready_;
  Notify();
}

void FanoutProbe::OnClosed(bool was_ready) {
  ++closed_;
  if (was_ready) --ready_;
  Notify();  // a listener lost during a measurement must not leave the waiter to its timeout
}

asio::awaitable<bool> FanoutProbe::WaitFor(std::function<bool()> pred, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!pred()) {
    if (Clock::now() >= deadline) co_return false;
    timer_.expires_at(deadline);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return true;
}

}  // namespace chorus::bench
