#include "store/VoiceRepository.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

namespace chorus::store {
namespace {

constexpr std::string_view kRoomColumns =
    "stream_id, max_speakers, host_id, sfu_room, created_at, updated_at, mode, slow_mode_seconds, "
    "pinned";
constexpr std::string_view kMemberColumns =
    "id, stream_id, user_id, role, joined_at, left_at, left_reason";
constexpr std::string_view kSettingsColumns =
    "user_id, stream_id, auto_join, mute_on_join, input_device_id, input_gain, push_to_talk, "
    "ptt_key, noise_suppression, echo_cancellation, auto_gain_control, output_volume, updated_at";
constexpr std::string_view kAuditColumns =
    "id, at, actor_id, action, stream_id, target_user_id, detail";

// The pinned column: a JSON array of ids written by PinnedText; anything else reads as none.
std::vector<std::int64_t> ParsePinned(const std::string& text) {
  std::vector<std::int64_t> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& id : v.as_array()) {
    if (id.is_int64()) out.push_back(id.as_int64());
  }
  return out;
}

std::string PinnedText(const std::vector<std::int64_t>& pinned) {
  boost::json::array a;
  for (auto id : pinned) a.push_back(id);
  return boost::json::serialize(a);
}

VoiceRoom RoomFromRow(const Row& r) {
  VoiceRoom room;
  room.stream_id = r.Int(0);
  room.max_speakers = static_cast<int>(r.Int(1));
  room.host_id = r.OptInt(2);
  room.sfu_room = r.Text(3);
  room.created_at_ms = r.Int(4);
  room.updated_at_ms = r.Int(5);
  room.mode = r.Text(6);
  room.slow_mode_seconds = static_cast<int>(r.Int(7));
  room.pinned = ParsePinned(r.Text(8));
  return room;
}

VoiceMember MemberFromRow(const Row& r) {
  return VoiceMember{r.Int(0), r.Int(1), r.Int(2), r.Text(3), r.Int(4), r.OptInt(5), r.OptText(6)};
}

VoiceSettings SettingsFromRow(const Row& r) {
  return VoiceSettings{
      r.Int(0),  r.Int(1),  r.Bool(2), r.Bool(3), r.Text(4),  static_cast<int>(r.Int(5)),
      r.Bool(6), r.Text(7), r.Bool(8), r.Bool(9), r.Bool(10), static_cast<int>(r.Int(11)),
      r.Int(12)};
}

AuditEntry AuditFromRow(const Row& r) {
  AuditEntry e;
  e.id = r.Int(0);
  e.at_ms = r.Int(1);
  e.actor_id = r.OptInt(2);
  e.action = r.Text(3);
  e.stream_id = r.OptInt(4);
  e.target_user_id = r.OptInt(5);
  e.detail = r.Text(6);
  return e;
}

}  // namespace

VoiceRoom VoiceRepository::EnsureRoom(std::int64_t stream_id, int max_speakers,
                                      std::optional<std::int64_t> host_id,
                                      std::string_view sfu_room, std::int64_t now_ms) {
  conn_.Exec(
      "INSERT INTO voice_rooms (stream_id, max_speakers, host_id, sfu_room, created_at, "
      "updated_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (stream_id) DO NOTHING",
      {stream_id, std::int64_t{max_speakers}, OptValue(host_id), std::string(sfu_room), now_ms});
  return FindRoom(stream_id).value();
}

std::optional<VoiceRoom> VoiceRepository::FindRoom(std::int64_t stream_id) {
  const Rows rows = conn_.Exec(
      fmt::format("SELECT {} FROM voice_rooms WHERE stream_id = $1", kRoomColumns), {stream_id});
  if (rows.empty()) return std::nullopt;
  return RoomFromRow(rows[0]);
}

std::optional<VoiceRoom> VoiceRepository::UpdateRoom(std::int64_t stream_id,
                                                     const VoiceRoomPatch& patch,
                                                     std::int64_t now_ms) {
  std::vector<Value> params{stream_id, now_ms};
  std::string sets = "updated_at = $2";
  const auto add = [&](std::string_view column, Value v) {
    params.push_back(std::move(v));
    sets += fmt::format(", {} = ${}", column, params.size());
  };
  if (patch.max_speakers) add("max_speakers", std::int64_t{*patch.max_speakers});
  if (patch.host_id) add("host_id", OptValue(*patch.host_id));
  if (patch.sfu_room) add("sfu_room", *patch.sfu_room);
  if (patch.mode) add("mode", *patch.mode);
  if (patch.slow_mode_seconds) add("slow_mode_seconds", std::int64_t{*patch.slow_mode_seconds});
  if (patch.pinned) add("pinned", PinnedText(*patch.pinned));
  const Rows rows =
      conn_.Exec(fmt::format("UPDATE voice_rooms SET {} WHERE stream_id = $1 RETURNING {}", sets,
                             kRoomColumns),
                 params);
  if (rows.empty()) return std::nullopt;
  return RoomFromRow(rows[0]);
}

VoiceMember VoiceRepository::OpenMembership(std::int64_t stream_id, std::int64_t user_id,
                                            std::string_view role, std::int64_t now_ms) {
  // The no-op DO UPDATE makes RETURNING yield the existing open row on conflict.
  const Rows rows = conn_.Exec(
      fmt::format("INSERT INTO voice_members (stream_id, user_id, role, joined_at) "
                  "VALUES ($1, $2, $3, $4) ON CONFLICT (stream_id, user_id) WHERE left_at IS NULL "
                  "DO UPDATE SET role = voice_members.role RETURNING {}",
                  kMemberColumns),
      {stream_id, user_id, std::string(role), now_ms});
  return MemberFromRow(rows.at(0));
}

bool VoiceRepository::CloseMembership(std::int64_t stream_id, std::int64_t user_id,
                                      std::int64_t now_ms, std::string_view reason) {
  conn_.Exec(
      "UPDATE voice_members SET left_at = $3, left_reason = $4 "
      "WHERE stream_id = $1 AND user_id = $2 AND left_at IS NULL",
      {stream_id, user_id, now_ms, std::string(reason)});
  return conn_.AffectedRows() > 0;
}

std::int64_t VoiceRepository::CloseAllMemberships(std::optional<std::int64_t> stream_id,
                                                  std::int64_t now_ms, std::string_view reason) {
  if (stream_id) {
    conn_.Exec(
        "UPDATE voice_members SET left_at = $2, left_reason = $3 "
        "WHERE stream_id = $1 AND left_at IS NULL",
        {*stream_id, now_ms, std::string(reason)});
  } else {
    conn_.Exec("UPDATE voice_members SET left_at = $1, left_reason = $2 WHERE left_at IS NULL",
               {now_ms, std::string(reason)});
  }
  return conn_.AffectedRows();
}

bool VoiceRepository::SetMemberRole(std::int64_t stream_id, std::int64_t user_id,
                                    std::string_view role) {
  conn_.Exec(
      "UPDATE voice_members SET role = $3 "
      "WHERE stream_id = $1 AND user_id = $2 AND left_at IS NULL",
      {stream_id, user_id, std::string(role)});
  return conn_.AffectedRows() > 0;
}

std::vector<VoiceMember> VoiceRepository::OpenMembers(std::int64_t stream_id) {
  std::vector<VoiceMember> out;
  for (const Row& r : conn_.Exec(fmt::format("SELECT {} FROM voice_members WHERE stream_id = $1 "
                                             "AND left_at IS NULL ORDER BY joined_at, id",
                                             kMemberColumns),
                                 {stream_id})) {
    out.push_back(MemberFromRow(r));
  }
  return out;
}

std::int64_t VoiceRepository::CountOpenMembers(std::int64_t stream_id) {
  return conn_
      .Exec("SELECT COUNT(*) FROM voice_members WHERE stream_id = $1 AND left_at IS NULL",
            {stream_id})
      .at(0)
      .Int(0);
}

bool VoiceRepository::IsKicked(std::int64_t stream_id, std::int64_t user_id) {
  return !conn_
              .Exec("SELECT 1 FROM voice_kicks WHERE stream_id = $1 AND user_id = $2",
                    {stream_id, user_id})
              .empty();
}

bool VoiceRepository::Kick(std::int64_t stream_id, std::int64_t user_id,
                           std::optional<std::int64_t> by_user_id, std::int64_t now_ms) {
  conn_.Exec(
      "INSERT INTO voice_kicks (stream_id, user_id, by_user_id, created_at) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT (stream_id, user_id) DO NOTHING",
      {stream_id, user_id, OptValue(by_user_id), now_ms});
  return conn_.AffectedRows() > 0;
}

bool VoiceRepository::Unkick(std::int64_t stream_id, std::int64_t user_id) {
  conn_.Exec("DELETE FROM voice_kicks WHERE stream_id = $1 AND user_id = $2", {stream_id, user_id});
  return conn_.AffectedRows() > 0;
}

std::vector<VoiceKick> VoiceRepository::ListKicks(std::int64_t stream_id) {
  std::vector<VoiceKick> out;
  for (const Row& r :
       conn_.Exec("SELECT k.user_id, COALESCE(u.username, ''), k.by_user_id, k.created_at "
                  "FROM voice_kicks k LEFT JOIN users u ON u.id = k.user_id "
                  "WHERE k.stream_id = $1 ORDER BY k.created_at, k.user_id",
                  {stream_id})) {
    out.push_back(VoiceKick{r.Int(0), r.Text(1), r.OptInt(2), r.Int(3)});
  }
  return out;
}

bool VoiceRepository::AddModerator(std::int64_t stream_id, std::int64_t user_id,
                                   std::optional<std::int64_t> by_user_id, std::int64_t now_ms) {
  conn_.Exec(
      "INSERT INTO voice_moderators (stream_id, user_id, appointed_by, appointed_at) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT (stream_id, user_id) DO NOTHING",
      {stream_id, user_id, OptValue(by_user_id), now_ms});
  return conn_.AffectedRows() > 0;
}

bool VoiceRepository::RemoveModerator(std::int64_t stream_id, std::int64_t user_id) {
  conn_.Exec("DELETE FROM voice_moderators WHERE stream_id = $1 AND user_id = $2",
             {stream_id, user_id});
  return conn_.AffectedRows() > 0;
}

bool VoiceRepository::IsModerator(std::int64_t stream_id, std::int64_t user_id) {
  return !conn_
              .Exec("SELECT 1 FROM voice_moderators WHERE stream_id = $1 AND user_id = $2",
                    {stream_id, user_id})
              .empty();
}

std::vector<VoiceModerator> VoiceRepository::ListModerators(std::int64_t stream_id) {
  std::vector<VoiceModerator> out;
  for (const Row& r :
       conn_.Exec("SELECT m.stream_id, m.user_id, COALESCE(u.username, ''), m.appointed_by, "
                  "m.appointed_at FROM voice_moderators m LEFT JOIN users u ON u.id = m.user_id "
                  "WHERE m.stream_id = $1 ORDER BY m.appointed_at, m.user_id",
                  {stream_id})) {
    out.push_back(VoiceModerator{r.Int(0), r.Int(1), r.Text(2), r.OptInt(3), r.Int(4)});
  }
  return out;
}

std::optional<VoiceSettings> VoiceRepository::GetSettings(std::int64_t user_id,
                                                          std::int64_t stream_id) {
  const Rows rows =
      conn_.Exec(fmt::format("SELECT {} FROM voice_settings WHERE user_id = $1 AND stream_id = $2",
                             kSettingsColumns),
                 {user_id, stream_id});
  if (rows.empty()) return std::nullopt;
  return SettingsFromRow(rows[0]);
}

std::optional<VoiceSettings> VoiceRepository::ResolveSettings(std::int64_t user_id,
                                                              std::int64_t stream_id) {
  // The override (stream_id > 0) sorts before the global row (0).
  const Rows rows = conn_.Exec(
      fmt::format("SELECT {} FROM voice_settings WHERE user_id = $1 AND stream_id IN ($2, 0) "
                  "ORDER BY stream_id DESC LIMIT 1",
                  kSettingsColumns),
      {user_id, stream_id});
  if (rows.empty()) return std::nullopt;
  return SettingsFromRow(rows[0]);
}

VoiceSettings VoiceRepository::PutSettings(const VoiceSettings& s, std::int64_t now_ms) {
  const Rows rows = conn_.Exec(
      fmt::format(
          "INSERT INTO voice_settings ({0}) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
          "ON CONFLICT (user_id, stream_id) DO UPDATE SET auto_join = excluded.auto_join, "
          "mute_on_join = excluded.mute_on_join, input_device_id = excluded.input_device_id, "
          "input_gain = excluded.input_gain, push_to_talk = excluded.push_to_talk, "
          "ptt_key = excluded.ptt_key, noise_suppression = excluded.noise_suppression, "
          "echo_cancellation = excluded.echo_cancellation, "
          "auto_gain_control = excluded.auto_gain_control, "
          "output_volume = excluded.output_volume, updated_at = excluded.updated_at "
          "RETURNING {0}",
          kSettingsColumns),
      {s.user_id, s.stream_id, BoolValue(s.auto_join), BoolValue(s.mute_on_join), s.input_device_id,
       std::int64_t{s.input_gain}, BoolValue(s.push_to_talk), s.ptt_key,
       BoolValue(s.noise_suppression), BoolValue(s.echo_cancellation),
       BoolValue(s.auto_gain_control), std::int64_t{s.output_volume}, now_ms});
  return SettingsFromRow(rows.at(0));
}

bool VoiceRepository::DeleteSettings(std::int64_t user_id, std::int64_t stream_id) {
  conn_.Exec("DELETE FROM voice_settings WHERE user_id = $1 AND stream_id = $2",
             {user_id, stream_id});
  return conn_.AffectedRows() > 0;
}

std::int64_t VoiceRepository::AppendAudit(const AuditEntry& e) {
  return conn_
      .Exec(
          "INSERT INTO audit_log (at, actor_id, action, stream_id, target_user_id, detail) "
          "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
          {e.at_ms, OptValue(e.actor_id), e.action, OptValue(e.stream_id),
           OptValue(e.target_user_id), e.detail})
      .at(0)
      .Int(0);
}

std::vector<AuditEntry> VoiceRepository::ListAudit(int limit,
                                                   std::optional<std::int64_t> stream_id) {
  const Rows rows =
      stream_id ? conn_.Exec(fmt::format("SELECT {} FROM audit_log WHERE stream_id = $1 "
                                         "ORDER BY id DESC LIMIT $2",
                                         kAuditColumns),
                             {*stream_id, std::int64_t{limit}})
                : conn_.Exec(fmt::format("SELECT {} FROM audit_log ORDER BY id DESC LIMIT $1",
                                         kAuditColumns),
                             {std::int64_t{limit}});
  std::vector<AuditEntry> out;
  for (const Row& r : rows) out.push_back(AuditFromRow(r));
  return out;
}

std::vector<AuditEntry> VoiceRepository::ListAuditNamed(std::int64_t stream_id, int limit) {
  const Rows rows = conn_.Exec(
      "SELECT a.id, a.at, a.actor_id, a.action, a.stream_id, a.target_user_id, a.detail, "
      "ua.username, ut.username FROM audit_log a LEFT JOIN users ua ON ua.id = a.actor_id "
      "LEFT JOIN users ut ON ut.id = a.target_user_id WHERE a.stream_id = $1 "
      "ORDER BY a.id DESC LIMIT $2",
      {stream_id, std::int64_t{limit}});
  std::vector<AuditEntry> out;
  for (const Row& r : rows) {
    auto e = AuditFromRow(r);
    e.actor_name = r.OptText(7);
    e.target_name = r.OptText(8);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace chorus::store
