// Shared pieces of the room state scripts (RoomScripts.cpp, StageScripts.cpp): the Lua helper
// functions every script that edits a member starts with, and their in-process twins.
// A stored member is our own serialization (Member::Serialize): flat JSON whose string values
// are escaped, so a pattern such as "muted":false can only match the field itself.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "state/StateBackend.hpp"

// Lua: setb/seti replace one field of a stored member; num reads a numeric hash field
// (0 when absent); unmuted counts the room's members with "muted":false other than `except`.
#define CHORUS_ROOM_LUA_HELPERS                                                         \
  "local function setb(s, k, v) return (string.gsub(s, '\"' .. k .. '\":%a+', '\"' .. " \
  "k .. '\":' .. tostring(v), 1)) end\n"                                                \
  "local function seti(s, k, v) return (string.gsub(s, '\"' .. k .. '\":%-?%d+', '\"' " \
  ".. k .. '\":' .. v, 1)) end\n"                                                       \
  "local function num(room, f) return tonumber(redis.call('HGET', room, f) or '0') or " \
  "0 end\n"                                                                             \
  "local function unmuted(room, except)\n"                                              \
  "  local all, n = redis.call('HGETALL', room), 0\n"                                   \
  "  for i = 1, #all, 2 do\n"                                                           \
  "    if string.sub(all[i], 1, 2) == 'm:' and all[i] ~= except and\n"                  \
  "       string.find(all[i + 1], '\"muted\":false', 1, true) then n = n + 1 end\n"     \
  "  end\n"                                                                             \
  "  return n\n"                                                                        \
  "end\n"

namespace chorus::voice::scripts::support {

inline std::string MemberField(const std::string& uid) {
  return "m:" + uid;
}

// A numeric hash field, 0 when absent or not a number (what the Lua num() reads).
inline std::int64_t Num(state::StateBackend& s, const std::string& room, const std::string& f) {
  const auto v = s.HGet(room, f);
  if (!v) return 0;
  try {
    return std::stoll(*v);
  } catch (const std::exception&) {
    return 0;
  }
}

// Members of the room with "muted":false, other than the field `except`.
inline std::int64_t Unmuted(state::StateBackend& s, const std::string& room,
                            const std::string& except) {
  std::int64_t n = 0;
  for (const auto& [field, value] : s.HGetAll(room)) {
    if (field.rfind("m:", 0) == 0 && field != except &&
        value.find(R"("muted":false)") != std::string::npos) {
      ++n;
    }
  }
  return n;
}

// A stored member as an object (empty when unreadable).
inline boost::json::object Decode(const std::string& stored) {
  boost::system::error_code ec;
  auto v = boost::json::parse(stored, ec);
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

inline bool BoolOf(const boost::json::object& m, std::string_view key, bool fallback) {
  const auto* v = m.if_contains(key);
  return v && v->is_bool() ? v->as_bool() : fallback;
}

inline std::int64_t IntOf(const boost::json::object& m, std::string_view key) {
  const auto* v = m.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

// Sets a field that is already present (what the Lua gsub does: an absent field stays absent).
inline void Replace(boost::json::object& m, std::string_view key, boost::json::value v) {
  if (auto* f = m.if_contains(key)) *f = std::move(v);
}

}  // namespace chorus::voice::scripts::support
