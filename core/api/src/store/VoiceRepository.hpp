// Voice rooms, memberships, kicks, settings and the audit log (schema v3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/Connection.hpp"
#include "store/VoiceRecords.hpp"

namespace chorus::store {

// Thread affinity: that of the Connection it wraps.
class VoiceRepository {
 public:
  explicit VoiceRepository(Connection& conn) : conn_(conn) {}

  // Creates the stream's room if absent and returns the stored row (an existing room is
  // returned unchanged). DbError if the stream does not exist.
  VoiceRoom EnsureRoom(std::int64_t stream_id, int max_speakers,
                       std::optional<std::int64_t> host_id, std::string_view sfu_room,
                       std::int64_t now_ms);
  // The stream's room, if created.
  std::optional<VoiceRoom> FindRoom(std::int64_t stream_id);
  // Applies the set fields and bumps updated_at; nullopt when the room does not exist.
  std::optional<VoiceRoom> UpdateRoom(std::int64_t stream_id, const VoiceRoomPatch& patch,
                                      std::int64_t now_ms);

  // Returns the user's open membership of the stream, opening one with `role` if none is open
  // (an open row keeps its role and joined_at: a reconnect keeps the seat). Safe against
  // concurrent calls: a partial unique index allows one open row per (stream, user).
  VoiceMember OpenMembership(std::int64_t stream_id, std::int64_t user_id, std::string_view role,
                             std::int64_t now_ms);
  // Closes the open membership; returns false when none was open (so leave is idempotent).
  bool CloseMembership(std::int64_t stream_id, std::int64_t user_id, std::int64_t now_ms,
                       std::string_view reason);
  // Closes every open membership of a stream, or of all streams when stream_id is nullopt
  // (startup recovery); returns how many.
  std::int64_t CloseAllMemberships(std::optional<std::int64_t> stream_id, std::int64_t now_ms,
                                   std::string_view reason);
  // Changes the role of an open membership; returns false when none is open.
  bool SetMemberRole(std::int64_t stream_id, std::int64_t user_id, std::string_view role);
  // Open memberships of a stream, earliest joined first.
  std::vector<VoiceMember> OpenMembers(std::int64_t stream_id);
  // Number of open memberships of a stream.
  std::int64_t CountOpenMembers(std::int64_t stream_id);

  // True when the user is banned from the stream's room.
  bool IsKicked(std::int64_t stream_id, std::int64_t user_id);
  // Bans the user from the room; returns false when already banned.
  bool Kick(std::int64_t stream_id, std::int64_t user_id, std::optional<std::int64_t> by_user_id,
            std::int64_t now_ms);
  // Lifts a ban; returns false when there was none.
  bool Unkick(std::int64_t stream_id, std::int64_t user_id);
  // The stream's bans, oldest first.
  std::vector<VoiceKick> ListKicks(std::int64_t stream_id);

  // Appoints the user moderator of the stream's room; returns false when already one.
  bool AddModerator(std::int64_t stream_id, std::int64_t user_id,
                    std::optional<std::int64_t> by_user_id, std::int64_t now_ms);
  // Removes an appointment; returns false when there was none.
  bool RemoveModerator(std::int64_t stream_id, std::int64_t user_id);
  // True when the user is an appointed moderator of the stream's room.
  bool IsModerator(std::int64_t stream_id, std::int64_t user_id);
  // The stream's appointed moderators, earliest appointed first.
  std::vector<VoiceModerator> ListModerators(std::int64_t stream_id);

  // The settings row for exactly (user_id, stream_id); stream_id 0 = global.
  std::optional<VoiceSettings> GetSettings(std::int64_t user_id, std::int64_t stream_id = 0);
  // The per-stream override if one exists, else the user's global settings, else nullopt.
  std::optional<VoiceSettings> ResolveSettings(std::int64_t user_id, std::int64_t stream_id);
  // Inserts or replaces the row for (settings.user_id, settings.stream_id); returns it as stored.
  VoiceSettings PutSettings(const VoiceSettings& settings, std::int64_t now_ms);
  // Deletes a per-stream override (or the global row for 0); returns whether it existed.
  bool DeleteSettings(std::int64_t user_id, std::int64_t stream_id);

  // Appends an audit entry (entry.id is ignored) and returns its id.
  std::int64_t AppendAudit(const AuditEntry& entry);
  // The newest `limit` entries, newest first; only the stream's when stream_id is set.
  std::vector<AuditEntry> ListAudit(int limit, std::optional<std::int64_t> stream_id = {});
  // The stream's newest `limit` entries, newest first, with the actor's and target's names.
  std::vector<AuditEntry> ListAuditNamed(std::int64_t stream_id, int limit);

 private:
  Connection& conn_;
};

}  // namespace chorus::store
