// libFuzzer target: the /rtc WebSocket's client messages (ParseClientMessage), every byte of
// which comes from the client. The input is one text frame.
// Invariants (violations abort): parsing never throws; text that is not a JSON object with a
// string "type" is `invalid_message`; a command comes only from a JSON object whose "type" names
// it, stays within the size limits, and reads back the same after re-serialising (ping times
// to within an ulp or so); a refusal carries a known code and a short fixed ASCII message (never
// the input echoed).
#include <boost/json.hpp>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "rtc/ClientMessage.hpp"

namespace {

namespace json = boost::json;
using namespace chorus::rtc_api;

constexpr std::size_t kMaxErrorMessageBytes = 200;

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

// The "type" of `text` when it is a JSON object with a string type (Boost.JSON's default
// limits, which are looser than the parser's), else nullopt.
std::optional<std::string> TypeOf(std::string_view text) {
  boost::system::error_code ec;
  const json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto* type = value.as_object().if_contains("type");
  if (type == nullptr || !type->is_string()) return std::nullopt;
  return std::string(type->as_string());
}

void CheckError(const MessageError& error, const std::optional<std::string>& type) {
  Require(error.code == "invalid_message" || error.code == "invalid_argument");
  if (error.code == "invalid_argument") {
    Require(type == "join" || type == "mute" || type == "ping");
  }
  Require(!error.message.empty() && error.message.size() <= kMaxErrorMessageBytes);
  for (const char c : error.message) Require(c >= 0x20 && c < 0x7f);
}

// Re-serialises a command and parses it again: the same command must come back.
void CheckRoundTrip(const ClientMessage& message) {
  json::object o;
  if (const auto* join = std::get_if<JoinCommand>(&message)) {
    o = {{"type", "join"}, {"token", join->token}, {"offer", join->offer}};
  } else if (const auto* mute = std::get_if<MuteCommand>(&message)) {
    o = {{"type", "mute"}, {"muted", mute->muted}};
  } else if (const auto* ping = std::get_if<PingCommand>(&message)) {
    o = {{"type", "ping"}};
    if (ping->t) o["t"] = *ping->t;
  } else {
    return;
  }
  const ClientMessage again = ParseClientMessage(json::serialize(o));
  Require(again.index() == message.index());
  if (const auto* join = std::get_if<JoinCommand>(&message)) {
    const auto& other = std::get<JoinCommand>(again);
    Require(other.token == join->token && other.offer == join->offer);
  } else if (const auto* mute = std::get_if<MuteCommand>(&message)) {
    Require(std::get<MuteCommand>(again).muted == mute->muted);
  } else if (const auto* ping = std::get_if<PingCommand>(&message)) {
    // Boost.JSON 1.81 serialises some doubles one ulp off (1888…886, 58 digits, is written as
    // 1.888888888888889E57, which reads back as the next double): allow that, a pong echoes it.
    const auto& t = std::get<PingCommand>(again).t;
    Require(t.has_value() == ping->t.has_value());
    if (t) Require(std::fabs(*t - *ping->t) <= 4 * DBL_EPSILON * std::fabs(*ping->t));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ClientMessage message = ParseClientMessage(text);
  const std::optional<std::string> type = TypeOf(text);
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, MessageError>) {
          CheckError(m, type);
          if (!type) Require(m.code == "invalid_message");
        } else {
          Require(type.has_value());
          if constexpr (std::is_same_v<T, JoinCommand>) {
            Require(type == "join");
            Require(m.token.size() <= kMaxTokenBytes && m.offer.size() <= kMaxOfferBytes);
          } else if constexpr (std::is_same_v<T, MuteCommand>) {
            Require(type == "mute");
          } else if constexpr (std::is_same_v<T, PingCommand>) {
            Require(type == "ping");
            Require(!m.t || std::isfinite(*m.t));
          } else if constexpr (std::is_same_v<T, LeaveCommand>) {
            Require(type == "leave");
          } else {
            Require(type != "join" && type != "mute" && type != "ping" && type != "leave");
          }
        }
      },
      message);
  CheckRoundTrip(message);
  return 0;
}
