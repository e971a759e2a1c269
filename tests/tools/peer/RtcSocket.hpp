// The /rtc signaling WebSocket from the client side (docs/api.md, the /rtc protocol): a blocking
// connect + handshake, then asynchronous reads delivering each JSON text message and a write
// queue with one write in flight.
// Thread affinity: the io_context thread (Connect may run before the io_context does).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>
#include <deque>
#include <functional>
#include <string>

namespace chorus::peer {

class RtcSocket {
 public:
  using MessageHandler = std::function<void(const boost::json::object& message)>;
  using CloseHandler = std::function<void(const std::string& reason)>;
  static constexpr std::size_t kMaxMessageBytes = 128 * 1024;  // the protocol's limit

  explicit RtcSocket(boost::asio::io_context& io);

  // Connects to `url` (ws://host:port/path) and completes the WebSocket handshake, sending
  // Origin http://host:port like a same-origin page. Returns false with *error.
  bool Connect(const std::string& url, std::string* error);
  // Starts reading: each text frame that parses as a JSON object goes to `on_message`; the
  // first read error or close goes to `on_close` once (not after our own Close()).
  void Start(MessageHandler on_message, CloseHandler on_close);
  // Queues one text message.
  void Send(std::string text);
  // Sends a close frame after the queued messages, then the socket closes. Idempotent.
  void Close();
  bool IsOpen() const { return open_; }
  // Messages that were not JSON objects.
  std::size_t BadMessages() const { return bad_messages_; }

 private:
  void Read();
  void WriteNext();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool open_ = false;
  bool closing_ = false;
  MessageHandler on_message_;
  CloseHandler on_close_;
  std::size_t bad_messages_ = 0;
};

}  // namespace chorus::peer
