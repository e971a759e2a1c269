#include "rtc/LiveMediaRegistry.hpp"

namespace chorus::rtc_api {

bool LiveMediaRegistry::Claim(const std::string& jti, Entry entry) {
  std::lock_guard lock(mu_);
  return live_.emplace(jti, std::move(entry)).second;
}

void LiveMediaRegistry::SetParticipant(const std::string& jti, const std::string& participant_id) {
  std::lock_guard lock(mu_);
  if (auto it = live_.find(jti); it != live_.end()) it->second.participant_id = participant_id;
}

void LiveMediaRegistry::Release(const std::string& jti) {
  std::lock_guard lock(mu_);
  live_.erase(jti);
}

std::vector<LiveMediaRegistry::Entry> LiveMediaRegistry::ForSession(std::int64_t session_id) const {
  std::lock_guard lock(mu_);
  std::vector<Entry> out;
  for (const auto& [jti, entry] : live_) {
    if (entry.session_id == session_id) out.push_back(entry);
  }
  return out;
}

std::size_t LiveMediaRegistry::Size() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

}  // namespace chorus::rtc_api
