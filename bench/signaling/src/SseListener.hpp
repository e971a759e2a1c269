// One Server-Sent-Events listener on a room's GET /api/voice/streams/{id}/events: connects,
// checks the 200 answer, splits the stream into frames (HTML Living Standard §9.2.6) and hands
// each to the FanoutProbe with the time its bytes arrived. Single-threaded.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "FanoutProbe.hpp"

namespace chorus::bench {

class SseListener : public std::enable_shared_from_this<SseListener> {
 public:
  SseListener(boost::asio::any_io_executor ex, boost::asio::ip::tcp::endpoint server,
              std::int64_t stream_id, std::string cookie, FanoutProbe& probe);

  // Runs until the stream ends or Stop() is called; reports ready/closed to the probe.
  boost::asio::awaitable<void> Run();
  // Closes the connection (the running coroutine then ends).
  void Stop();

 private:
  // Consumes the complete frames at the front of pending_.
  void ConsumeFrames(Clock::time_point received);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::ip::tcp::endpoint server_;
  std::int64_t stream_id_;
  std::string cookie_;
  FanoutProbe& probe_;
  std::string pending_;
  bool header_done_ = false, ready_ = false;
  std::uint64_t seen_ = 0;
};

}  // namespace chorus::bench
