#include "voice/StageScripts.hpp"

#include <set>
#include <string>

#include "voice/ScriptSupport.hpp"

namespace chorus::voice::scripts {
namespace {

using Args = state::StateScript::Args;
using Out = std::vector<std::string>;
namespace sp = support;

// Writes `m` back when it differs from `stored`: {"changed", member, version} or
// {"unchanged", stored}.
Out Store(state::StateBackend& s, const std::string& room, const std::string& uid,
          const std::string& stored, const boost::json::object& m) {
  if (m == sp::Decode(stored)) return {"unchanged", stored};
  const std::string member = boost::json::serialize(m);
  s.HSet(room, sp::MemberField(uid), member);
  return {"changed", member, std::to_string(s.HIncrBy(room, "version", 1))};
}

bool IsStage(state::StateBackend& s, const std::string& room) {
  const auto mode = s.HGet(room, "mode");
  return mode && *mode == "stage";
}

Out RaiseHandLocal(state::StateBackend& s, const Args& keys, const Args& args) {
  const auto& room = keys[0];
  const auto &uid = args[0], &now = args[2];
  const bool raised = args[1] == "1", privileged = args[3] == "1";
  const auto stored = s.HGet(room, sp::MemberField(uid));
  if (!stored) return {"absent"};
  auto m = sp::Decode(*stored);
  if (!raised) {
    sp::Replace(m, "hand_raised_at_ms", 0);
    return Store(s, room, uid, *stored, m);
  }
  if (!IsStage(s, room)) return {"not_stage"};
  if (sp::BoolOf(m, "speaker", true)) return {"already_speaker", *stored};
  if (sp::IntOf(m, "hand_raised_at_ms") != 0) return {"unchanged", *stored};
  const auto slow_ms = sp::Num(s, room, "slow_mode_seconds") * 1000;
  if (!privileged && slow_ms > 0) {
    if (auto last = s.HGet(room, "slow_hand:" + uid)) {
      const auto since = std::stoll(now) - std::stoll(*last);
      if (since < slow_ms) return {"slow_mode", *stored, std::to_string(slow_ms - since)};
    }
  }
  sp::Replace(m, "hand_raised_at_ms", std::stoll(now));
  if (!privileged) s.HSet(room, "slow_hand:" + uid, now);
  return Store(s, room, uid, *stored, m);
}

Out SetSpeakerLocal(state::StateBackend& s, const Args& keys, const Args& args) {
  const auto& room = keys[0];
  const auto& uid = args[0];
  const bool allow = args[1] == "1";
  if (!IsStage(s, room)) return {"not_stage"};
  const auto stored = s.HGet(room, sp::MemberField(uid));
  if (!stored) return {"absent"};
  auto m = sp::Decode(*stored);
  sp::Replace(m, "speaker", allow);
  sp::Replace(m, "hand_raised_at_ms", 0);
  if (!allow) sp::Replace(m, "muted", true);
  return Store(s, room, uid, *stored, m);
}

Out SetModeLocal(state::StateBackend& s, const Args& keys, const Args& args) {
  const auto& room = keys[0];
  const bool stage = args[0] == "stage";
  const std::set<std::string> privileged(args.begin() + 1, args.end());
  s.HSet(room, "mode", args[0]);
  Out out{"ok", ""};
  for (const auto& [field, stored] : s.HGetAll(room)) {
    if (field.rfind("m:", 0) != 0) continue;
    auto m = sp::Decode(stored);
    const auto before = m;
    if (!stage || privileged.contains(field.substr(2))) {
      sp::Replace(m, "speaker", true);
      if (!stage) sp::Replace(m, "hand_raised_at_ms", 0);
    } else {
      sp::Replace(m, "speaker", false);
      sp::Replace(m, "muted", true);
    }
    if (m == before) continue;
    out.push_back(boost::json::serialize(m));
    s.HSet(room, field, out.back());
    out.push_back(std::to_string(s.HIncrBy(room, "version", 1)));
  }
  out[1] = std::to_string(s.HIncrBy(room, "version", 0));
  return out;
}

Out SetRoleLocal(state::StateBackend& s, const Args& keys, const Args& args) {
  const auto& room = keys[0];
  const auto &uid = args[0], &role = args[1];
  const auto stored = s.HGet(room, sp::MemberField(uid));
  if (!stored) return {"absent"};
  auto m = sp::Decode(*stored);
  sp::Replace(m, "role", boost::json::string(role));
  if (role != "member") {
    sp::Replace(m, "speaker", true);
    sp::Replace(m, "hand_raised_at_ms", 0);
  }
  return Store(s, room, uid, *stored, m);
}

}  // namespace

const state::StateScript kRaiseHand{"room_raise_hand", CHORUS_ROOM_LUA_HELPERS R"lua(
local room, uid, now = KEYS[1], ARGV[1], ARGV[3]
local raised, privileged = ARGV[2] == '1', ARGV[4] == '1'
local stored = redis.call('HGET', room, 'm:' .. uid)
if not stored then return {'absent'} end
local ok, m = pcall(cjson.decode, stored)
local hand = ok and tonumber(m.hand_raised_at_ms) or 0
local member
if not raised then
  if hand == 0 then return {'unchanged', stored} end
  member = seti(stored, 'hand_raised_at_ms', '0')
else
  if redis.call('HGET', room, 'mode') ~= 'stage' then return {'not_stage'} end
  if not ok or m.speaker ~= false then return {'already_speaker', stored} end
  if hand ~= 0 then return {'unchanged', stored} end
  local slow_ms = num(room, 'slow_mode_seconds') * 1000
  if not privileged and slow_ms > 0 then
    local last = tonumber(redis.call('HGET', room, 'slow_hand:' .. uid) or '')
    if last and tonumber(now) - last < slow_ms then
      return {'slow_mode', stored, string.format('%d', slow_ms - (tonumber(now) - last))}
    end
  end
  member = seti(stored, 'hand_raised_at_ms', now)
  if not privileged then redis.call('HSET', room, 'slow_hand:' .. uid, now) end
end
redis.call('HSET', room, 'm:' .. uid, member)
return {'changed', member, tostring(redis.call('HINCRBY', room, 'version', 1))}
)lua",
                                    RaiseHandLocal};

const state::StateScript kSetSpeaker{"room_set_speaker", CHORUS_ROOM_LUA_HELPERS R"lua(
local room, uid, allow = KEYS[1], ARGV[1], ARGV[2] == '1'
if redis.call('HGET', room, 'mode') ~= 'stage' then return {'not_stage'} end
local stored = redis.call('HGET', room, 'm:' .. uid)
if not stored then return {'absent'} end
local member = seti(setb(stored, 'speaker', allow), 'hand_raised_at_ms', '0')
if not allow then member = setb(member, 'muted', true) end
if member == stored then return {'unchanged', stored} end
redis.call('HSET', room, 'm:' .. uid, member)
return {'changed', member, tostring(redis.call('HINCRBY', room, 'version', 1))}
)lua",
                                     SetSpeakerLocal};

const state::StateScript kSetMode{"room_set_mode", CHORUS_ROOM_LUA_HELPERS R"lua(
local room, stage = KEYS[1], ARGV[1] == 'stage'
local privileged = {}
for i = 2, #ARGV do privileged['m:' .. ARGV[i]] = true end
redis.call('HSET', room, 'mode', ARGV[1])
local all = redis.call('HGETALL', room)
local out = {'ok', ''}
for i = 1, #all, 2 do
  local field, stored = all[i], all[i + 1]
  if string.sub(field, 1, 2) == 'm:' then
    local member
    if not stage or privileged[field] then
      member = setb(stored, 'speaker', true)
      if not stage then member = seti(member, 'hand_raised_at_ms', '0') end
    else
      member = setb(setb(stored, 'speaker', false), 'muted', true)
    end
    if member ~= stored then
      redis.call('HSET', room, field, member)
      table.insert(out, member)
      table.insert(out, tostring(redis.call('HINCRBY', room, 'version', 1)))
    end
  end
end
out[2] = tostring(redis.call('HINCRBY', room, 'version', 0))
return out
)lua",
                                  SetModeLocal};

const state::StateScript kSetRole{"room_set_role", CHORUS_ROOM_LUA_HELPERS R"lua(
local room, uid, role = KEYS[1], ARGV[1], ARGV[2]
local stored = redis.call('HGET', room, 'm:' .. uid)
if not stored then return {'absent'} end
local member = (string.gsub(stored, '"role":"%a+"', '"role":"' .. role .. '"', 1))
if role ~= 'member' then
  member = seti(setb(member, 'speaker', true), 'hand_raised_at_ms', '0')
end
if member == stored then return {'unchanged', stored} end
redis.call('HSET', room, 'm:' .. uid, member)
return {'changed', member, tostring(redis.call('HINCRBY', room, 'version', 1))}
)lua",
                                  SetRoleLocal};

}  // namespace chorus::voice::scripts
