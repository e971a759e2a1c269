#include "voice/ToggleBucket.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace chorus::voice {
namespace {

using Args = state::StateScript::Args;

double Number(const std::optional<std::string>& text, double fallback) {
  if (!text) return fallback;
  try {
    return std::stod(*text);
  } catch (const std::exception&) {
    return fallback;
  }
}

std::vector<std::string> TakeLocal(state::StateBackend& s, const Args& keys, const Args& args) {
  const double capacity = std::stod(args[0]), window = std::stod(args[1]), now = std::stod(args[2]);
  const double at = Number(s.HGet(keys[0], "at"), now);
  double tokens = Number(s.HGet(keys[0], "tokens"), capacity);
  tokens = std::min(capacity, tokens + std::max(0.0, now - at) * capacity / window);
  if (tokens < 1) {
    return {"limited",
            std::to_string(static_cast<std::int64_t>(std::ceil((1 - tokens) * window / capacity)))};
  }
  s.HSet(keys[0], "tokens", std::to_string(tokens - 1));
  s.HSet(keys[0], "at", args[2]);
  s.Expire(keys[0], std::chrono::milliseconds(static_cast<std::int64_t>(window)));
  return {"ok"};
}

// A full bucket is the same as none, so the key expires one window after the last take.
const state::StateScript kTake{"mute_toggle_take", R"lua(
local capacity, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or '') or now
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or '') or capacity
tokens = math.min(capacity, tokens + math.max(0, now - at) * capacity / window)
if tokens < 1 then
  return {'limited', string.format('%d', math.ceil((1 - tokens) * window / capacity))}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {'ok'}
)lua",
                               TakeLocal};

}  // namespace

ToggleBucket::ToggleBucket(state::StateBackend& state, util::Clock clock, int capacity,
                           std::chrono::seconds window)
    : state_(state), clock_(std::move(clock)), capacity_(capacity), window_(window) {}

std::string ToggleBucket::Key(std::int64_t user_id) {
  return "voice:mute_toggles:" + std::to_string(user_id);
}

std::optional<std::int64_t> ToggleBucket::Take(std::int64_t user_id) {
  const auto window_ms = std::chrono::duration_cast<std::chrono::milliseconds>(window_).count();
  const auto r = state_.RunScript(
      kTake, {Key(user_id)},
      {std::to_string(capacity_), std::to_string(window_ms), std::to_string(clock_())});
  if (r.size() < 2 || r[0] != "limited") return std::nullopt;
  try {
    return std::max<std::int64_t>(1, std::stoll(r[1]));
  } catch (const std::exception&) {
    return window_ms;
  }
}

}  // namespace chorus::voice
