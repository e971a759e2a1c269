#include "SseListener.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <string_view>

namespace chorus::bench {
namespace asio = boost::asio;
namespace {
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunkBytes = 4096;
constexpr std::size_t kMaxPendingBytes = 1024 * 1024;  // a frame larger than this is an error
}  // namespace

SseListener::SseListener(asio::any_io_executor ex, asio::ip::tcp::endpoint server,
                         std::int64_t stream_id, std::string cookie, FanoutProbe& probe)
    : socket_(std::move(ex)),
      server_(server),
      stream_id_(stream_id),
      cookie_(std::move(cookie)),
      probe_(probe) {}

void SseListener::Stop() {
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

asio::awaitable<void> SseListener::Run() {
  auto self = shared_from_this();
  auto [cec] = co_await socket_.async_connect(server_, kUseTuple);
  if (!cec) {
    std::string req = "GET /api/voice/streams/" + std::to_string(stream_id_) +
                      "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                      "Cookie: " +
                      cookie_ + "\r\n\r\n";
    auto [wec, wn] = co_await asio::async_write(socket_, asio::buffer(req), kUseTuple);
    (void)wn;
    std::array<char, kReadChunkBytes> chunk;
    while (!wec) {
      auto [rec, n] = co_await socket_.async_read_some(asio::buffer(chunk), kUseTuple);
      if (rec) break;
      const auto received = Clock::now();
      pending_.append(chunk.data(), n);
      if (!header_done_) {
        const auto end = pending_.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (pending_.size() > kMaxPendingBytes) break;
          continue;
        }
        // "HTTP/1.1 200 OK": anything else (401, 404, 503) ends this listener.
        if (pending_.compare(0, 12, "HTTP/1.1 200") != 0) break;
        header_done_ = true;
        pending_.erase(0, end + 4);
      }
      ConsumeFrames(received);
      if (pending_.size() > kMaxPendingBytes) break;
    }
  }
  Stop();
  probe_.OnClosed(ready_);
  ready_ = false;
}

void SseListener::ConsumeFrames(Clock::time_point received) {
  std::size_t start = 0;
  for (;;) {
    const auto end = pending_.find("\n\n", start);
    if (end == std::string::npos) break;
    std::string_view frame(pending_.data() + start, end - start);
    start = end + 2;
    std::string_view event = "message", data;
    while (!frame.empty()) {
      const auto nl = frame.find('\n');
      const auto line = frame.substr(0, nl);
      frame = nl == std::string_view::npos ? std::string_view{} : frame.substr(nl + 1);
      if (line.rfind("event: ", 0) == 0) event = line.substr(7);
      if (line.rfind("data: ", 0) == 0) data = line.substr(6);
    }
    if (event == "hello" && !ready_) {
      ready_ = true;
      probe_.OnReady();
    } else if (!data.empty()) {
      probe_.OnFrame(seen_, event, data, received);
    }
  }
  pending_.erase(0, start);
}

}  // namespace chorus::bench
