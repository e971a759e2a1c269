// libFuzzer target: an HTTP/1.1 request as chorusd reads it — Beast's request_parser with the
// header and body limits chorusd sets from its configuration (config::Config defaults) — then
// what HttpServer does with the head: the path without the query, the Router match over
// chorusd's route table and its path parameters, and a JSON body.
// The first input byte picks where the bytes are split in two reads (as TCP may deliver them);
// the rest is the request. Invariants (violations abort): the split never changes whether a
// request is accepted nor what an accepted one holds (method, target, fields, body); a body stays
// within the body limit; a route match binds a parameter for every {name} of its pattern; a
// refused path binds none.
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/Config.hpp"
#include "http/ApiError.hpp"
#include "http/JsonBody.hpp"
#include "http/Router.hpp"
#include "http/Types.hpp"

namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;
using chorus::http::Request;
using chorus::http::Router;
using chorus::http::Verb;

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

const chorus::config::Config& Settings() {
  static const chorus::config::Config config;
  return config;
}

// The routes App::Start registers (ops, auth, streams, voice, rtc), with handlers that are never
// called: Router::Find only matches.
const Router& Routes() {
  static const Router router = [] {
    Router r;
    const auto noop = [](chorus::http::RequestContext&)
        -> asio::awaitable<std::optional<chorus::http::Response>> { co_return std::nullopt; };
    const std::string voice = "/api/voice/streams/{id}";
    const std::vector<std::pair<Verb, std::string>> routes = {
        {Verb::get, "/healthz"},
        {Verb::get, "/readyz"},
        {Verb::get, "/metrics"},
        {Verb::post, "/api/auth/register"},
        {Verb::post, "/api/auth/login"},
        {Verb::post, "/api/auth/logout"},
        {Verb::get, "/api/auth/me"},
        {Verb::get, "/api/streams"},
        {Verb::post, "/api/streams"},
        {Verb::get, "/api/streams/{id}"},
        {Verb::patch, "/api/streams/{id}"},
        {Verb::post, voice + "/join"},
        {Verb::post, voice + "/leave"},
        {Verb::post, voice + "/heartbeat"},
        {Verb::get, voice + "/roster"},
        {Verb::get, voice + "/state"},
        {Verb::get, voice + "/events"},
        {Verb::post, voice + "/members/{user}/mute"},
        {Verb::post, voice + "/members/{user}/unmute"},
        {Verb::post, voice + "/members/{user}/kick"},
        {Verb::patch, voice + "/room"},
        {Verb::get, "/api/settings/voice"},
        {Verb::put, "/api/settings/voice"},
        {Verb::get, "/rtc"},
    };
    for (const auto& [method, pattern] : routes) r.Add(method, pattern, noop);
    return r;
  }();
  return router;
}

// What one parse produced, to compare a whole read with a split one.
struct Outcome {
  beast::error_code error;
  bool header_done = false;
  bool done = false;
  std::string method, target, fields, body;
  bool operator==(const Outcome&) const = default;
};

// Feeds `chunks` to `parser` the way Beast's read algorithms do: put() what is buffered, keep
// what it did not consume, read more on need_more, put_eof() at the end of the input.
void Feed(beast::http::request_parser<beast::http::string_body>& parser,
          const std::vector<std::string_view>& chunks, Outcome& out) {
  std::string buffered;
  std::size_t next = 0;
  while (!parser.is_done()) {
    if (buffered.empty() || out.error == beast::http::error::need_more) {
      // A read returns at least one byte, so Beast never puts an empty buffer (whose null data
      // pointer its field parser would offset: UB that only this harness could reach).
      while (next < chunks.size() && chunks[next].empty()) ++next;
      if (next == chunks.size()) {
        out.error = {};
        parser.put_eof(out.error);
        break;
      }
      buffered.append(chunks[next++]);
    }
    out.error = {};
    const std::size_t used = parser.put(asio::buffer(buffered), out.error);
    buffered.erase(0, used);
    if (out.error && out.error != beast::http::error::need_more) break;
  }
  out.header_done = parser.is_header_done();
  out.done = parser.is_done();
}

Outcome Parse(const std::vector<std::string_view>& chunks, std::optional<Request>& request) {
  const auto& http = Settings().http;
  beast::http::request_parser<beast::http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(http.max_header_bytes));
  parser.body_limit(http.max_body_bytes);
  Outcome out;
  Feed(parser, chunks, out);
  if (out.header_done) {
    const Request& req = parser.get();
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    for (const auto& field : req) {
      out.fields += std::string(field.name_string()) + ':' + std::string(field.value()) + '\n';
    }
    out.body = req.body();
    Require(out.body.size() <= http.max_body_bytes);
    if (out.done && !out.error) request = parser.release();
  }
  return out;
}

// HttpServer::Route's view of a request: the path, the route and its parameters; then the body
// as a JSON handler reads it.
void Route(const Request& req) {
  std::string_view path = req.target();
  if (const auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  auto match = Routes().Find(req.method(), path);
  if (!match.handler) {
    Require(match.params.empty());
    if (match.path_known) Require(!match.allowed.empty());
    return;
  }
  for (std::size_t open = match.pattern.find('{'); open != std::string::npos;
       open = match.pattern.find('{', open + 1)) {
    const auto close = match.pattern.find('}', open);
    Require(match.params.contains(match.pattern.substr(open + 1, close - open - 1)));
  }
  if (!req.body().empty()) {
    try {
      volatile std::size_t sink = chorus::http::JsonBody::Parse(req.body()).Object().size();
      (void)sink;
    } catch (const chorus::http::ApiError&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::optional<Request> whole_request;
  const Outcome whole = Parse({text}, whole_request);
  const std::size_t split = text.empty() ? 0 : data[0] % (text.size() + 1);
  std::optional<Request> split_request;
  const Outcome pieces = Parse({text.substr(0, split), text.substr(split)}, split_request);
  // Beast may name a malformed head's error differently when it arrives in pieces (it parses an
  // unsplit head eagerly, a split one only once the blank line is in), and chorusd closes the
  // connection on either; a request it accepts must be the same however it arrives.
  Require(whole_request.has_value() == split_request.has_value());
  if (whole_request) Require(whole == pieces);
  if (whole_request) Route(*whole_request);
  return 0;
}
