// The live /rtc media connections of this process, by room token id (jti): one live connection
// per token, and the connections of a session (logout ends them). Thread-safe (one mutex; the
// calls are rare: a join, an end, a logout).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace chorus::rtc_api {

class LiveMediaRegistry {
 public:
  struct Entry {
    std::string room;
    std::int64_t user_id = 0;
    std::int64_t session_id = 0;
    std::string participant_id;  // empty while the SFU join is in progress
  };

  // Claims `jti` for one connection; false when a live connection already holds it.
  bool Claim(const std::string& jti, Entry entry);
  // Records the SFU participant of a claimed token.
  void SetParticipant(const std::string& jti, const std::string& participant_id);
  // Releases a claim (the connection ended).
  void Release(const std::string& jti);
  // The live connections opened with tokens of `session_id`.
  std::vector<Entry> ForSession(std::int64_t session_id) const;
  std::size_t Size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> live_;
};

}  // namespace chorus::rtc_api
