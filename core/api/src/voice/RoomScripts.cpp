#include "voice/RoomScripts.hpp"

#include <boost/json.hpp>
#include <string>

#include "voice/ScriptSupport.hpp"

namespace chorus::voice::scripts {
namespace {

using Args = state::StateScript::Args;
using Out = std::vector<std::string>;

constexpr std::string_view kJoinedAtTemplate = R"("joined_at_ms":0)";

std::string MemberField(const std::string& uid) {
  return "m:" + uid;
}
std::string SeatField(const std::string& uid) {
  return "seat:" + uid;
}
std::string SeatAtField(const std::string& uid) {
  return "seat_at:" + uid;
}

std::string Version(state::StateBackend& s, const std::string& room) {
  return s.HGet(room, "version").value_or("0");
}

// The value of "joined_at_ms" in a stored member, if any (what the Lua's string.match reads).
std::optional<std::string> JoinedAt(const std::string& member) {
  static constexpr std::string_view kKey = R"("joined_at_ms":)";
  const auto at = member.find(kKey);
  if (at == std::string::npos) return std::nullopt;
  std::size_t end = at + kKey.size();
  const std::size_t start = end;
  if (end < member.size() && member[end] == '-') ++end;
  while (end < member.size() && member[end] >= '0' && member[end] <= '9') ++end;
  if (end == start) return std::nullopt;
  return member.substr(start, end - start);
}

// Replaces the first `"<field>":true|false` of a stored member (our own serialization).
std::string SetFlag(std::string member, std::string_view field, bool value) {
  const std::string key = "\"" + std::string(field) + "\":";
  const auto at = member.find(key);
  if (at == std::string::npos) return member;
  const auto start = at + key.size();
  const auto len = member.compare(start, 4, "true") == 0 ? 4 : 5;
  member.replace(start, len, value ? "true" : "false");
  return member;
}

Out JoinLocal(state::StateBackend& s, const Args& keys, const Args& args) {
  const auto &room = keys[0], &presence = keys[1];
  const auto &uid = args[0], &now = args[1];
  const auto max = std::stoll(args[2]);
  const auto& member_template = args[3];
  if (s.ZScore(presence, uid)) {
    s.ZAdd(presence, uid, std::stod(now));
    if (auto stored = s.HGet(room, MemberField(uid))) return {"present", *stored, Version(s, room)};
  } else if (s.ZCard(presence) >= max) {
    return {"full"};
  }
  std::string joined = now, kind = "joined";
  if (auto seat = s.HGet(room, SeatField(uid))) {
    if (auto at = JoinedAt(*seat)) {
      joined = *at;
      kind = "restored";
    }
    s.HDel(room, SeatField(uid));
    s.HDel(room, SeatAtField(uid));
  }
  std::string member = member_template;
  if (const auto at = member.find(kJoinedAtTemplate); at != std::string::npos) {
    member.replace(at, kJoinedAtTemplate.size(), R"("joined_at_ms":)" + joined);
  }
  // Stage rooms seat members as listeners; a room at its speaker limit seats them muted. Hosts
  // and moderators are seated as they asked.
  if (args.size() > 4 && args[4] != "1") {
    const auto mode = s.HGet(room, "mode");
    if (mode && *mode == "stage") {
      member = SetFlag(SetFlag(member, "speaker", false), "muted", true);
    } else if (member.find(R"("muted":false)") != std::string::npos) {
      const auto limit = support::Num(s, room, "max_speakers");
      if (limit > 0 && support::Unmuted(s, room, "") >= limit) {
        member = SetFlag(member, "muted", true);
      }
    }
  }
  s.HSet(room, MemberField(uid), member);
  s.ZAdd(presence, uid, std::stod(now));
  return {kind, member, std::to_string(s.HIncrBy(room, "version", 1))};
}

Out TouchLocal(state::StateBackend& s, const Args& keys, const Args& args) {
  const auto &room = keys[0], &presence = keys[1];
  const auto& uid = args[0];
  if (!s.ZScore(presence, uid)) return {"absent"};
  if (!s.HGet(room, MemberField(uid))) {
    s.ZRem(presence, uid);
    return {"absent"};
  }
  s.ZAdd(presence, uid, std::stod(args[1]));
  return {"ok"};
}

Out LeaveLocal(state::StateBackend& s, const Args& keys, const Args& args) {
  const auto &room = keys[0], &presence = keys[1];
  const auto& uid = args[0];
  const bool removed = s.ZRem(presence, uid);
  auto stored = s.HGet(room, MemberField(uid));
  s.HDel(room, MemberField(uid));
  if (!removed) return {"absent"};
  return {"left", stored.value_or(""), std::to_string(s.HIncrBy(room, "version", 1))};
}

Out SetMutedLocal(state::StateBackend& s, const Args& keys, const Args& args) {
  const auto& room = keys[0];
  const auto& uid = args[0];
  const bool muted = args[1] == "1", by_host = args[2] == "1";
  const bool privileged = args.size() > 3 && args[3] == "1";
  const auto now = args.size() > 4 ? std::stoll(args[4]) : 0;
  auto stored = s.HGet(room, MemberField(uid));
  if (!stored) return {"absent"};
  const auto m = support::Decode(*stored);
  const bool was_muted = support::BoolOf(m, "muted", false);
  const bool was_host = support::BoolOf(m, "muted_by_host", false);
  const bool speaker = support::BoolOf(m, "speaker", true);
  bool now_muted = muted, now_host = was_host;
  if (by_host) {
    now_host = muted;
  } else if (!muted && was_host) {
    return {"muted_by_host", *stored};
  }
  if (now_muted == was_muted && now_host == was_host) return {"unchanged", *stored};
  if (!muted) {
    if (!speaker) return {"not_a_speaker", *stored};
    if (was_muted && !privileged) {
      const auto slow_ms = support::Num(s, room, "slow_mode_seconds") * 1000;
      if (!by_host && slow_ms > 0) {
        if (auto last = s.HGet(room, "slow_unmute:" + uid)) {
          const auto since = now - std::stoll(*last);
          if (since < slow_ms) return {"slow_mode", *stored, std::to_string(slow_ms - since)};
        }
      }
      const auto limit = support::Num(s, room, "max_speakers");
      if (limit > 0 && support::Unmuted(s, room, MemberField(uid)) >= limit) {
        return {"speaker_limit", *stored};
      }
    }
  }
  const std::string member =
      SetFlag(SetFlag(*stored, "muted", now_muted), "muted_by_host", now_host);
  s.HSet(room, MemberField(uid), member);
  if (!muted && !by_host && !privileged) s.HSet(room, "slow_unmute:" + uid, std::to_string(now));
  return {"changed", member, std::to_string(s.HIncrBy(room, "version", 1))};
}

Out EvictLocal(state::StateBackend& s, const Args& keys, const Args& args) {
  const auto &room = keys[0], &presence = keys[1];
  const auto &uid = args[0], &now = args[2];
  const auto score = s.ZScore(presence, uid);
  if (!score || *score > std::stod(args[1])) return {"fresh"};
  s.ZRem(presence, uid);
  auto stored = s.HGet(room, MemberField(uid));
  if (!stored) return {"gone"};
  s.HDel(room, MemberField(uid));
  s.HSet(room, SeatField(uid), *stored);
  s.HSet(room, SeatAtField(uid), now);
  return {"evicted", *stored, std::to_string(s.HIncrBy(room, "version", 1))};
}

}  // namespace

const state::StateScript kJoin{"room_join", CHORUS_ROOM_LUA_HELPERS R"lua(
local room, presence = KEYS[1], KEYS[2]
local uid, now, max, template = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local privileged = ARGV[5] == '1'
if redis.call('ZSCORE', presence, uid) then
  redis.call('ZADD', presence, now, uid)
  local stored = redis.call('HGET', room, 'm:' .. uid)
  if stored then
    return {'present', stored, redis.call('HGET', room, 'version') or '0'}
  end
elseif redis.call('ZCARD', presence) >= max then
  return {'full'}
end
local joined, kind = now, 'joined'
local seat = redis.call('HGET', room, 'seat:' .. uid)
if seat then
  local at = string.match(seat, '"joined_at_ms":(%-?%d+)')
  if at then joined, kind = at, 'restored' end
  redis.call('HDEL', room, 'seat:' .. uid, 'seat_at:' .. uid)
end
local member = (string.gsub(template, '"joined_at_ms":0', '"joined_at_ms":' .. joined, 1))
if not privileged then
  if redis.call('HGET', room, 'mode') == 'stage' then
    member = setb(setb(member, 'speaker', false), 'muted', true)
  elseif string.find(member, '"muted":false', 1, true) then
    local limit = num(room, 'max_speakers')
    if limit > 0 and unmuted(room, '') >= limit then member = setb(member, 'muted', true) end
  end
end
redis.call('HSET', room, 'm:' .. uid, member)
redis.call('ZADD', presence, now, uid)
return {kind, member, tostring(redis.call('HINCRBY', room, 'version', 1))}
)lua",
                               JoinLocal};

const state::StateScript kTouch{"room_touch", R"lua(
local room, presence, uid = KEYS[1], KEYS[2], ARGV[1]
if not redis.call('ZSCORE', presence, uid) then return {'absent'} end
if redis.call('HEXISTS', room, 'm:' .. uid) == 0 then
  redis.call('ZREM', presence, uid)
  return {'absent'}
end
redis.call('ZADD', presence, ARGV[2], uid)
return {'ok'}
)lua",
                                TouchLocal};

const state::StateScript kLeave{"room_leave", R"lua(
local room, presence, uid = KEYS[1], KEYS[2], ARGV[1]
local removed = redis.call('ZREM', presence, uid)
local stored = redis.call('HGET', room, 'm:' .. uid)
redis.call('HDEL', room, 'm:' .. uid)
if removed == 0 then return {'absent'} end
return {'left', stored or '', tostring(redis.call('HINCRBY', room, 'version', 1))}
)lua",
                                LeaveLocal};

const state::StateScript kSetMuted{"room_set_muted", CHORUS_ROOM_LUA_HELPERS R"lua(
local room, uid = KEYS[1], ARGV[1]
local muted, by_host, privileged = ARGV[2] == '1', ARGV[3] == '1', ARGV[4] == '1'
local now = tonumber(ARGV[5]) or 0
local stored = redis.call('HGET', room, 'm:' .. uid)
if not stored then return {'absent'} end
local ok, m = pcall(cjson.decode, stored)
local was_muted = ok and m.muted == true
local was_host = ok and m.muted_by_host == true
local speaker = not ok or m.speaker ~= false
local now_muted, now_host = muted, was_host
if by_host then
  now_host = muted
elseif not muted and was_host then
  return {'muted_by_host', stored}
end
if now_muted == was_muted and now_host == was_host then return {'unchanged', stored} end
if not muted then
  if not speaker then return {'not_a_speaker', stored} end
  if was_muted and not privileged then
    local slow_ms = num(room, 'slow_mode_seconds') * 1000
    if not by_host and slow_ms > 0 then
      local last = tonumber(redis.call('HGET', room, 'slow_unmute:' .. uid) or '')
      if last and now - last < slow_ms then
        return {'slow_mode', stored, string.format('%d', slow_ms - (now - last))}
      end
    end
    local limit = num(room, 'max_speakers')
    if limit > 0 and unmuted(room, 'm:' .. uid) >= limit then return {'speaker_limit', stored} end
  end
end
local member = setb(setb(stored, 'muted', now_muted), 'muted_by_host', now_host)
redis.call('HSET', room, 'm:' .. uid, member)
if not muted and not by_host and not privileged then
  redis.call('HSET', room, 'slow_unmute:' .. uid, ARGV[5])
end
return {'changed', member, tostring(redis.call('HINCRBY', room, 'version', 1))}
)lua",
                                   SetMutedLocal};

const state::StateScript kEvict{"room_evict", R"lua(
local room, presence, uid = KEYS[1], KEYS[2], ARGV[1]
local score = redis.call('ZSCORE', presence, uid)
if not score or tonumber(score) > tonumber(ARGV[2]) then return {'fresh'} end
redis.call('ZREM', presence, uid)
local stored = redis.call('HGET', room, 'm:' .. uid)
if not stored then return {'gone'} end
redis.call('HDEL', room, 'm:' .. uid)
redis.call('HSET', room, 'seat:' .. uid, stored, 'seat_at:' .. uid, ARGV[3])
return {'evicted', stored, tostring(redis.call('HINCRBY', room, 'version', 1))}
)lua",
                                EvictLocal};

}  // namespace chorus::voice::scripts
