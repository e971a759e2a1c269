// JSON encoding of the /rtc WebSocket's server messages (docs/api.md "/rtc WebSocket") from the
// SFU's events. Thread affinity: none (pure functions).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "Sfu.hpp"

namespace chorus::rtc_api {

// Per user id: the roster's stage fields {role, speaker, hand_raised_at}, which the SFU does not
// know, added to that user's /rtc member objects.
using StageFields = std::unordered_map<std::int64_t, boost::json::object>;

// A member as the protocol shows it: {user_id, username, muted, muted_by, speaking} plus the
// user's stage fields when `stage` has them.
boost::json::object MemberJson(const sfu::MemberInfo& member, const StageFields* stage = nullptr);

// The "joined" reply.
std::string JoinedMessage(const sfu::JoinResult& result, std::int64_t user_id,
                          const StageFields* stage = nullptr);

// {"type":"error","code":..,"message":..}.
std::string ErrorMessage(const std::string& code, const std::string& message,
                         std::optional<std::int64_t> retry_after_ms = std::nullopt);

// What to send for one SFU event, and whether the connection ends after it.
struct EventMessage {
  std::string text;  // empty: nothing to send
  bool close = false;
};
EventMessage EncodeEvent(const sfu::SfuEvent& event, const StageFields* stage = nullptr);

}  // namespace chorus::rtc_api
