// Parsing of the /rtc WebSocket's client messages (docs/api.md "/rtc WebSocket", Client →
// server): every byte is hostile, so each message is checked in full here, and the session only
// ever sees a well-formed command. Pure functions; no I/O. Fuzzed by tests/fuzz/FuzzRtcMessage.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace chorus::rtc_api {

struct JoinCommand {
  std::string token;
  std::string offer;
};
struct MuteCommand {
  bool muted = false;
};
struct PingCommand {
  std::optional<double> t;  // the client's clock, echoed in the pong
};
struct LeaveCommand {};
// A well-formed message of a type this server does not know (answered `unknown_type`).
struct UnknownCommand {};

// A message the server refuses: `code` is the /rtc error code (`invalid_message`,
// `invalid_argument`), `message` a fixed human text (never the input echoed back).
struct MessageError {
  std::string code;
  std::string message;
};

using ClientMessage =
    std::variant<JoinCommand, MuteCommand, PingCommand, LeaveCommand, UnknownCommand, MessageError>;

// Largest accepted token and offer, in bytes (the WebSocket's own message limit is larger).
inline constexpr std::size_t kMaxTokenBytes = 4096;
inline constexpr std::size_t kMaxOfferBytes = 64 * 1024;

// Parses one text frame. Never throws.
ClientMessage ParseClientMessage(std::string_view text);

}  // namespace chorus::rtc_api
