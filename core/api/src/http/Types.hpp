// Common HTTP types of chorusd: requests, responses, the context a handler receives.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

namespace chorus::http {

namespace beast = boost::beast;
namespace asio = boost::asio;
using Request = beast::http::request<beast::http::string_body>;
using Response = beast::http::response<beast::http::string_body>;
// A file streamed from disk as it is written (static files, media).
using FileResponse = beast::http::response<beast::http::file_body>;
using AnyResponse = std::variant<Response, FileResponse>;
using Status = beast::http::status;
using Verb = beast::http::verb;

class OriginPolicy;
class Stream;  // http/Stream.hpp: plain TCP or TLS

// What a handler gets for one request. Lives for the request only (thread affinity: the
// connection's strand).
struct RequestContext {
  Request& request;
  Stream& stream;  // handlers that take the connection over (SSE, WebSocket) use it
  std::string client_addr;
  std::string request_id;
  std::string route;  // the matched pattern, e.g. /api/streams/{id} (for metrics and logs)
  std::unordered_map<std::string, std::string> params;
  // Long-lived handlers (SSE, WebSocket) set this so shutdown closes their connection at once.
  std::atomic<bool>* long_lived = nullptr;
  // True once the server is shutting down; long-lived loops end when they see it.
  const std::atomic<bool>* server_stopping = nullptr;
  // Which hosts Host and Origin may name (for same-origin checks: http/OriginPolicy.hpp).
  const OriginPolicy* origins = nullptr;
  // HTTPS with an https public URL: responses a handler writes itself (SSE head, WebSocket
  // upgrade) carry Strict-Transport-Security like the others.
  bool hsts = false;
  // Deadline of each write to the client (--http-write-timeout).
  std::chrono::steady_clock::duration write_timeout = std::chrono::seconds(10);

  void MarkLongLived() const {
    if (long_lived) *long_lived = true;
  }
  bool ServerStopping() const { return server_stopping && *server_stopping; }

  // For a taken-over event stream (SSE): caps the socket's kernel send buffer, so a client that
  // stops reading blocks our writes after tens of kilobytes rather than the ~4 MB Linux would
  // queue on loopback, and the write deadline can notice it.
  void LimitSendBuffer() const;
  // Writes `data` to the taken-over connection within `write_timeout`; on a timeout the socket
  // is closed and the error is beast::error::timeout.
  asio::awaitable<beast::error_code> WriteWithDeadline(std::string_view data) const;
  // The Strict-Transport-Security header line ("…\r\n") when hsts is set, else empty.
  std::string_view HstsLine() const {
    return hsts ? "Strict-Transport-Security: max-age=31536000\r\n" : "";
  }

  // The path parameter `name` as a positive integer id; 404 when it is not one.
  std::int64_t IdParam(const std::string& name) const;
  const std::string& Param(const std::string& name) const { return params.at(name); }
  // The value of the named cookie, or empty.
  std::string Cookie(std::string_view name) const;
};

// A handler returns the response to send, or std::nullopt when it has taken over the connection
// (which is then closed when the handler returns).
using Handler = std::function<asio::awaitable<std::optional<Response>>(RequestContext&)>;

// Builds a JSON response with the request's keep-alive and version.
Response JsonResponse(const Request& req, Status status, const boost::json::value& body);
// Builds an empty response (e.g. 204).
Response EmptyResponse(const Request& req, Status status);

}  // namespace chorus::http
