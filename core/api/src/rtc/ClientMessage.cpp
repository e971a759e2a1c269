#include "rtc/ClientMessage.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>

namespace chorus::rtc_api {
namespace {

namespace json = boost::json;

MessageError Invalid(std::string message) {
  return MessageError{"invalid_argument", std::move(message)};
}

const json::string* StringField(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

ClientMessage ParseJoin(const json::object& o) {
  const auto* token = StringField(o, "token");
  const auto* offer = StringField(o, "offer");
  if (!token || !offer) return Invalid("join needs \"token\" and \"offer\" strings");
  if (token->size() > kMaxTokenBytes) return Invalid("the token is too long");
  if (offer->size() > kMaxOfferBytes) return Invalid("the offer is too long");
  return JoinCommand{std::string(*token), std::string(*offer)};
}

ClientMessage ParseMute(const json::object& o) {
  const auto* muted = o.if_contains("muted");
  if (!muted || !muted->is_bool()) return Invalid("mute needs \"muted\": true|false");
  return MuteCommand{muted->get_bool()};
}

ClientMessage ParsePing(const json::object& o) {
  const auto* t = o.if_contains("t");
  if (!t) return PingCommand{};
  if (!t->is_number()) return Invalid("ping \"t\" must be a number");
  const double value = t->to_number<double>();
  if (!std::isfinite(value)) return Invalid("ping \"t\" must be a number");
  return PingCommand{value};
}

}  // namespace

ClientMessage ParseClientMessage(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 8;  // our messages are flat; deep nesting only costs us
  const json::value value = json::parse(text, ec, {}, options);
  const auto* object = ec ? nullptr : value.if_object();
  const auto* type = object ? StringField(*object, "type") : nullptr;
  if (!type) return MessageError{"invalid_message", "messages are JSON objects with a \"type\""};
  if (*type == "join") return ParseJoin(*object);
  if (*type == "mute") return ParseMute(*object);
  if (*type == "ping") return ParsePing(*object);
  if (*type == "leave") return LeaveCommand{};
  return UnknownCommand{};
}

}  // namespace chorus::rtc_api
