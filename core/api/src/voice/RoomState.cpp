#include "voice/RoomState.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <limits>

#include <fmt/format.h>

#include "voice/RoomScripts.hpp"
#include "voice/StageScripts.hpp"

namespace chorus::voice {
namespace {

constexpr std::string_view kMemberPrefix = "m:";
constexpr std::string_view kSeatPrefix = "seat:";
constexpr std::string_view kVersionField = "version";
constexpr std::string_view kMaxMembersField = "max_members";
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string MemberField(std::int64_t user_id) {
  return std::string(kMemberPrefix) + std::to_string(user_id);
}

std::optional<std::int64_t> ParseId(std::string_view text) {
  std::int64_t v = 0;
  if (text.empty() || text.size() > 19) return std::nullopt;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  return v;
}

}  // namespace

boost::json::object Member::ToJson() const {
  return {{"user_id", user_id},
          {"username", username},
          {"role", role},
          {"muted", muted},
          {"muted_by_host", muted_by_host},
          {"joined_at", util::IsoTime(joined_at_ms)},
          {"speaker", speaker},
          {"hand_raised_at", hand_raised_at_ms != 0
                                 ? boost::json::value(util::IsoTime(hand_raised_at_ms))
                                 : boost::json::value(nullptr)}};
}

std::string Member::Serialize() const {
  return boost::json::serialize(boost::json::object{{"user_id", user_id},
                                                    {"username", username},
                                                    {"role", role},
                                                    {"muted", muted},
                                                    {"muted_by_host", muted_by_host},
                                                    {"joined_at_ms", joined_at_ms},
                                                    {"speaker", speaker},
                                                    {"hand_raised_at_ms", hand_raised_at_ms}});
}

std::optional<Member> Member::Parse(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  Member m;
  const auto* id = o.if_contains("user_id");
  const auto* name = o.if_contains("username");
  const auto* role = o.if_contains("role");
  const auto* muted = o.if_contains("muted");
  const auto* by_host = o.if_contains("muted_by_host");
  const auto* joined = o.if_contains("joined_at_ms");
  if (!id || !id->is_int64() || !name || !name->is_string() || !role || !role->is_string() ||
      !muted || !muted->is_bool() || !joined || !joined->is_int64()) {
    return std::nullopt;
  }
  m.user_id = id->as_int64();
  m.username = std::string(name->as_string());
  m.role = std::string(role->as_string());
  m.muted = muted->as_bool();
  m.muted_by_host = by_host && by_host->is_bool() && by_host->as_bool();
  m.joined_at_ms = joined->as_int64();
  const auto* speaker = o.if_contains("speaker");
  m.speaker = !speaker || !speaker->is_bool() || speaker->as_bool();
  const auto* hand = o.if_contains("hand_raised_at_ms");
  m.hand_raised_at_ms = hand && hand->is_int64() ? hand->as_int64() : 0;
  return m;
}

RoomState::RoomState(state::StateBackend& state, util::Clock clock,
                     std::chrono::seconds presence_timeout, std::chrono::seconds rejoin_grace)
    : state_(state),
      clock_(std::move(clock)),
      presence_timeout_(presence_timeout),
      rejoin_grace_(rejoin_grace) {}

std::string RoomState::RoomKey(std::int64_t stream_id) {
  return "voice:rooms:" + std::to_string(stream_id);
}
std::string RoomState::PresenceKey(std::int64_t stream_id) {
  return "voice:presence:" + std::to_string(stream_id);
}

JoinOutcome RoomState::Join(std::int64_t stream_id, Member candidate, int max_members,
                            bool privileged) {
  const auto now = clock_();
  candidate.joined_at_ms = 0;  // the script puts the seat's or the current time in its place
  candidate.speaker = true;    // the script makes a stage room's listeners
  candidate.hand_raised_at_ms = 0;
  const auto r = state_.RunScript(
      scripts::kJoin, {RoomKey(stream_id), PresenceKey(stream_id)},
      {std::to_string(candidate.user_id), std::to_string(now), std::to_string(max_members),
       candidate.Serialize(), privileged ? "1" : "0"});
  JoinOutcome out;
  if (r.empty() || r[0] == "full") {
    out.kind = JoinKind::kFull;
    return out;
  }
  out.kind = r[0] == "present"    ? JoinKind::kPresent
             : r[0] == "restored" ? JoinKind::kRestored
                                  : JoinKind::kJoined;
  auto member = r.size() > 1 ? Member::Parse(r[1]) : std::nullopt;
  if (!member) {
    member = candidate;
    member->joined_at_ms = now;
  }
  out.member = *member;
  out.version = r.size() > 2 ? ParseId(r[2]).value_or(0) : 0;
  return out;
}

bool RoomState::Heartbeat(std::int64_t stream_id, std::int64_t user_id) {
  const auto r = state_.RunScript(scripts::kTouch, {RoomKey(stream_id), PresenceKey(stream_id)},
                                  {std::to_string(user_id), std::to_string(clock_())});
  return !r.empty() && r[0] == "ok";
}

bool RoomState::ExpireWithin(std::int64_t stream_id, std::int64_t user_id,
                             std::chrono::seconds within) {
  const auto backdate = std::max<std::int64_t>(0, (presence_timeout_ - within).count() * 1000);
  const auto r = state_.RunScript(scripts::kTouch, {RoomKey(stream_id), PresenceKey(stream_id)},
                                  {std::to_string(user_id), std::to_string(clock_() - backdate)});
  return !r.empty() && r[0] == "ok";
}

std::optional<std::pair<Member, std::int64_t>> RoomState::Leave(std::int64_t stream_id,
                                                                std::int64_t user_id) {
  const auto r = state_.RunScript(scripts::kLeave, {RoomKey(stream_id), PresenceKey(stream_id)},
                                  {std::to_string(user_id)});
  if (r.size() < 3 || r[0] != "left") return std::nullopt;
  auto member = Member::Parse(r[1]);
  if (!member) {
    member = Member{};
    member->user_id = user_id;
  }
  return std::make_pair(*member, ParseId(r[2]).value_or(0));
}

std::vector<Eviction> RoomState::Sweep() {
  std::vector<Eviction> evicted;
  const auto now = clock_();
  const double cutoff = static_cast<double>(now - presence_timeout_.count() * 1000);
  const std::string prefix = "voice:presence:";
  for (const auto& key : state_.ScanPrefix(prefix)) {
    const auto stream_id = ParseId(std::string_view(key).substr(prefix.size()));
    if (!stream_id) continue;
    for (const auto& [uid_text, score] : state_.ZRangeByScore(key, -kInf, cutoff)) {
      (void)score;
      // Atomic per member: a heartbeat, leave or another node's sweep in between wins.
      const auto r =
          state_.RunScript(scripts::kEvict, {RoomKey(*stream_id), key},
                           {uid_text, fmt::format("{:.0f}", cutoff), std::to_string(now)});
      if (r.size() < 3 || r[0] != "evicted") continue;
      auto member = Member::Parse(r[1]);
      if (!member) continue;
      evicted.push_back({*stream_id, *member, ParseId(r[2]).value_or(0)});
    }
  }
  // Seats kept past the grace are forgotten.
  const std::int64_t seat_cutoff = now - rejoin_grace_.count() * 1000;
  for (const auto& key : state_.ScanPrefix("voice:rooms:")) {
    for (const auto& [field, value] : state_.HGetAll(key)) {
      if (field.rfind("seat_at:", 0) != 0) continue;
      const auto at = ParseId(value);
      if (at && *at > seat_cutoff) continue;
      const std::string uid = field.substr(std::string_view("seat_at:").size());
      state_.HDel(key, std::string(kSeatPrefix) + uid);
      state_.HDel(key, field);
    }
  }
  return evicted;
}

std::vector<Member> RoomState::Roster(std::int64_t stream_id) {
  std::vector<Member> out;
  for (const auto& [field, value] : state_.HGetAll(RoomKey(stream_id))) {
    if (field.rfind(kMemberPrefix, 0) != 0) continue;
    if (auto m = Member::Parse(value)) out.push_back(std::move(*m));
  }
  std::sort(out.begin(), out.end(), [](const Member& a, const Member& b) {
    return a.joined_at_ms != b.joined_at_ms ? a.joined_at_ms < b.joined_at_ms
                                            : a.user_id < b.user_id;
  });
  return out;
}

std::optional<Member> RoomState::FindMember(std::int64_t stream_id, std::int64_t user_id) {
  auto stored = state_.HGet(RoomKey(stream_id), MemberField(user_id));
  if (!stored) return std::nullopt;
  return Member::Parse(*stored);
}

std::int64_t RoomState::MemberCount(std::int64_t stream_id) {
  return state_.ZCard(PresenceKey(stream_id));
}

std::int64_t RoomState::Version(std::int64_t stream_id) {
  auto v = state_.HGet(RoomKey(stream_id), std::string(kVersionField));
  if (!v) return 0;
  return ParseId(*v).value_or(0);
}

std::int64_t RoomState::BumpVersion(std::int64_t stream_id) {
  return state_.HIncrBy(RoomKey(stream_id), std::string(kVersionField), 1);
}

namespace {

// Reads a member script's reply: {outcome, member?, version|retry_ms?}.
MuteOutcome ReadOutcome(const std::vector<std::string>& r) {
  MuteOutcome out;
  if (r.empty() || r[0] == "absent") return out;
  static const std::pair<std::string_view, MuteKind> kKinds[] = {
      {"changed", MuteKind::kChanged},
      {"unchanged", MuteKind::kUnchanged},
      {"muted_by_host", MuteKind::kMutedByHost},
      {"not_a_speaker", MuteKind::kNotASpeaker},
      {"speaker_limit", MuteKind::kSpeakerLimit},
      {"slow_mode", MuteKind::kSlowMode},
      {"not_stage", MuteKind::kNotStage},
      {"already_speaker", MuteKind::kAlreadySpeaker}};
  out.kind = MuteKind::kUnchanged;
  for (const auto& [name, kind] : kKinds) {
    if (r[0] == name) out.kind = kind;
  }
  if (r.size() > 1) {
    auto member = Member::Parse(r[1]);
    if (!member) return MuteOutcome{};
    out.member = *member;
  }
  if (r.size() > 2) {
    const auto n = ParseId(r[2]).value_or(0);
    if (out.kind == MuteKind::kSlowMode) {
      out.retry_after_ms = n;
    } else {
      out.version = n;
    }
  }
  return out;
}

}  // namespace

MuteOutcome RoomState::SetMuted(std::int64_t stream_id, std::int64_t user_id, bool muted,
                                bool by_host, bool privileged) {
  return ReadOutcome(
      state_.RunScript(scripts::kSetMuted, {RoomKey(stream_id), PresenceKey(stream_id)},
                       {std::to_string(user_id), muted ? "1" : "0", by_host ? "1" : "0",
                        privileged ? "1" : "0", std::to_string(clock_())}));
}

MuteOutcome RoomState::RaiseHand(std::int64_t stream_id, std::int64_t user_id, bool raised,
                                 bool privileged) {
  return ReadOutcome(state_.RunScript(scripts::kRaiseHand, {RoomKey(stream_id)},
                                      {std::to_string(user_id), raised ? "1" : "0",
                                       std::to_string(clock_()), privileged ? "1" : "0"}));
}

MuteOutcome RoomState::SetSpeaker(std::int64_t stream_id, std::int64_t user_id, bool allow) {
  return ReadOutcome(state_.RunScript(scripts::kSetSpeaker, {RoomKey(stream_id)},
                                      {std::to_string(user_id), allow ? "1" : "0"}));
}

MuteOutcome RoomState::SetRole(std::int64_t stream_id, std::int64_t user_id,
                               const std::string& role) {
  return ReadOutcome(
      state_.RunScript(scripts::kSetRole, {RoomKey(stream_id)}, {std::to_string(user_id), role}));
}

ModeOutcome RoomState::SetMode(std::int64_t stream_id, const std::string& mode,
                               const std::vector<std::int64_t>& privileged) {
  std::vector<std::string> args{mode};
  for (auto id : privileged) args.push_back(std::to_string(id));
  const auto r = state_.RunScript(scripts::kSetMode, {RoomKey(stream_id)}, args);
  ModeOutcome out;
  if (r.size() > 1) out.version = ParseId(r[1]).value_or(0);
  for (std::size_t i = 2; i + 1 < r.size(); i += 2) {
    if (auto m = Member::Parse(r[i])) {
      out.changed.emplace_back(std::move(*m), ParseId(r[i + 1]).value_or(0));
    }
  }
  return out;
}

bool RoomState::HasConfig(std::int64_t stream_id) {
  return state_.HGet(RoomKey(stream_id), "mode").has_value();
}

std::optional<RoomConfig> RoomState::Config(std::int64_t stream_id) {
  const auto hash = state_.HGetAll(RoomKey(stream_id));
  const auto mode = hash.find("mode");
  if (mode == hash.end()) return std::nullopt;
  RoomConfig config;
  config.mode = mode->second == "stage" ? "stage" : "open";
  const auto number = [&](const char* field) {
    const auto it = hash.find(field);
    return it == hash.end() ? 0 : static_cast<int>(ParseId(it->second).value_or(0));
  };
  config.max_speakers = number("max_speakers");
  config.slow_mode_seconds = number("slow_mode_seconds");
  if (const auto it = hash.find("pinned"); it != hash.end()) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(it->second, ec);
    if (!ec && v.is_array()) {
      for (const auto& id : v.as_array()) {
        if (id.is_int64()) config.pinned.push_back(id.as_int64());
      }
    }
  }
  return config;
}

void RoomState::SetConfig(std::int64_t stream_id, const RoomConfig& config) {
  const auto key = RoomKey(stream_id);
  boost::json::array pinned;
  for (auto id : config.pinned) pinned.push_back(id);
  // "mode" last: Config() reads a room as cached once it is there.
  state_.HSet(key, "max_speakers", std::to_string(config.max_speakers));
  state_.HSet(key, "slow_mode_seconds", std::to_string(config.slow_mode_seconds));
  state_.HSet(key, "pinned", boost::json::serialize(pinned));
  state_.HSet(key, "mode", config.mode);
}

std::optional<int> RoomState::MaxMembers(std::int64_t stream_id) {
  auto v = state_.HGet(RoomKey(stream_id), std::string(kMaxMembersField));
  if (!v) return std::nullopt;
  auto parsed = ParseId(*v);
  if (!parsed) return std::nullopt;
  return static_cast<int>(*parsed);
}

void RoomState::SetMaxMembers(std::int64_t stream_id, int max_members) {
  state_.HSet(RoomKey(stream_id), std::string(kMaxMembersField), std::to_string(max_members));
}

std::vector<std::int64_t> RoomState::ActiveRooms() {
  std::vector<std::int64_t> out;
  const std::string prefix = "voice:presence:";
  for (const auto& key : state_.ScanPrefix(prefix)) {
    if (auto id = ParseId(std::string_view(key).substr(prefix.size()))) out.push_back(*id);
  }
  return out;
}

}  // namespace chorus::voice
