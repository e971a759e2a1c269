#include "RtcSocket.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

namespace chorus::peer {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

RtcSocket::RtcSocket(asio::io_context& io) : ws_(io) {}

bool RtcSocket::Connect(const std::string& url, std::string* error) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "ws" || parsed->host().empty()) {
    *error = "unsupported signaling URL '" + url + "' (want ws://host:port/path)";
    return false;
  }
  const std::string host(parsed->host());
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  const std::string path =
      parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(ws_.get_executor());
  auto endpoints = resolver.resolve(host, port, ec);
  if (!ec) beast::get_lowest_layer(ws_).socket().connect(endpoints.begin()->endpoint(), ec);
  if (ec) {
    *error = "cannot connect to " + url + ": " + ec.message();
    return false;
  }
  ws_.set_option(websocket::stream_base::decorator([host, port](websocket::request_type& req) {
    req.set(beast::http::field::user_agent, "chorus-peer");
    req.set(beast::http::field::origin, "http://" + host + ":" + port);
  }));
  ws_.read_message_max(kMaxMessageBytes);
  websocket::response_type response;
  ws_.handshake(response, host + ":" + port, path, ec);
  if (ec) {
    *error = "WebSocket handshake with " + url + " failed: " + ec.message() + " (HTTP " +
             std::to_string(response.result_int()) + ")";
    return false;
  }
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws_.text(true);
  open_ = true;
  return true;
}

void RtcSocket::Start(MessageHandler on_message, CloseHandler on_close) {
  on_message_ = std::move(on_message);
  on_close_ = std::move(on_close);
  Read();
}

void RtcSocket::Read() {
  ws_.async_read(buffer_, [this](boost::system::error_code ec, std::size_t) {
    if (ec) {
      const bool ours = closing_;
      open_ = false;
      if (!ours && on_close_) {
        std::string reason = ec == websocket::error::closed
                                 ? "server closed the WebSocket (code " +
                                       std::to_string(ws_.reason().code) + " " +
                                       std::string(ws_.reason().reason.c_str()) + ")"
                                 : "WebSocket: " + ec.message();
        on_close_(reason);
      }
      return;
    }
    const std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    boost::system::error_code parse_error;
    auto value = boost::json::parse(text, parse_error);
    if (parse_error || !value.is_object()) {
      ++bad_messages_;
    } else if (on_message_) {
      on_message_(value.as_object());
    }
    Read();
  });
}

void RtcSocket::Send(std::string text) {
  if (!open_ || closing_) return;
  queue_.push_back(std::move(text));
  if (!writing_) WriteNext();
}

void RtcSocket::WriteNext() {
  if (queue_.empty()) {
    writing_ = false;
    if (closing_ && open_) {
      ws_.async_close(websocket::close_code::normal,
                      [this](boost::system::error_code) { open_ = false; });
    }
    return;
  }
  writing_ = true;
  ws_.async_write(asio::buffer(queue_.front()), [this](boost::system::error_code ec, std::size_t) {
    queue_.pop_front();
    if (ec) {
      queue_.clear();
      writing_ = false;
      return;
    }
    WriteNext();
  });
}

void RtcSocket::Close() {
  if (closing_ || !open_) return;
  closing_ = true;
  if (!writing_) WriteNext();
}

}  // namespace chorus::peer
