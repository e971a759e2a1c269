// Plain records of the voice tables (schema v3), returned by VoiceRepository.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chorus::store {

struct VoiceRoom {
  std::int64_t stream_id = 0;
  int max_speakers = 0;  // Members unmuted at once; 0 = no limit.
  std::optional<std::int64_t> host_id;
  std::string sfu_room;  // The SFU's room reference.
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::string mode = "open";  // "open" | "stage".
  int slow_mode_seconds = 0;  // 0 = off.
  std::vector<std::int64_t> pinned;
};

// Fields to change; empty leaves a column as it is, host_id's inner nullopt clears the host.
struct VoiceRoomPatch {
  std::optional<int> max_speakers;
  std::optional<std::optional<std::int64_t>> host_id;
  std::optional<std::string> sfu_room;
  std::optional<std::string> mode;
  std::optional<int> slow_mode_seconds;
  std::optional<std::vector<std::int64_t>> pinned;
};

// A user appointed moderator of one stream's room.
struct VoiceModerator {
  std::int64_t stream_id = 0;
  std::int64_t user_id = 0;
  std::string username;
  std::optional<std::int64_t> appointed_by;
  std::int64_t appointed_at_ms = 0;
};

// A ban from one stream's room, with the banned user's name.
struct VoiceKick {
  std::int64_t user_id = 0;
  std::string username;
  std::optional<std::int64_t> kicked_by;
  std::int64_t kicked_at_ms = 0;
};

struct VoiceMember {
  std::int64_t id = 0;
  std::int64_t stream_id = 0;
  std::int64_t user_id = 0;
  std::string role;  // "host" | "moderator" | "member".
  std::int64_t joined_at_ms = 0;
  std::optional<std::int64_t> left_at_ms;  // nullopt while the membership is open.
  std::optional<std::string> left_reason;  // "leave", "timeout", "kick", …
};

// A user's voice settings; stream_id 0 holds the global ones, another id a per-stream override.
struct VoiceSettings {
  std::int64_t user_id = 0;
  std::int64_t stream_id = 0;
  bool auto_join = false;
  bool mute_on_join = false;
  std::string input_device_id;
  int input_gain = 100;
  bool push_to_talk = false;
  std::string ptt_key;
  bool noise_suppression = true;
  bool echo_cancellation = true;
  bool auto_gain_control = true;
  int output_volume = 100;
  std::int64_t updated_at_ms = 0;  // Set by PutSettings.
};

struct AuditEntry {
  std::int64_t id = 0;  // Assigned by AppendAudit.
  std::int64_t at_ms = 0;
  std::optional<std::int64_t> actor_id;
  std::string action;  // e.g. "voice.join", "voice.kick".
  std::optional<std::int64_t> stream_id;
  std::optional<std::int64_t> target_user_id;
  std::string detail;                      // Free text or JSON.
  std::optional<std::string> actor_name;   // Set by ListAuditNamed.
  std::optional<std::string> target_name;  // Set by ListAuditNamed.
};

}  // namespace chorus::store
