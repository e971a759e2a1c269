#include "rtc/IceServer.hpp"

#include <algorithm>
#include <utility>

#include "rtc/StunWriter.hpp"

namespace chorus::rtc {

IceServer::IceServer(std::string local_ufrag, std::string local_pwd, std::string remote_ufrag,
                     Clock::time_point now)
    : local_ufrag_(std::move(local_ufrag)),
      local_pwd_(std::move(local_pwd)),
      remote_ufrag_(std::move(remote_ufrag)),
      expected_username_(local_ufrag_ + ":" + remote_ufrag_),
      last_valid_check_(now) {}

IceCheckResult IceServer::Reject(const StunPacket& request, std::uint16_t code,
                                 std::string_view reason, std::string_view key,
                                 std::span<std::uint8_t> out) {
  IceCheckResult result;
  result.error_code = code;
  result.response_bytes =
      StunWriter::WriteBindingError(out, request.TransactionId(), code, reason, key);
  return result;
}

IceCheckResult IceServer::ProcessStun(std::span<const std::uint8_t> packet,
                                      const TransportAddress& from, std::span<std::uint8_t> out,
                                      Clock::time_point now) {
  const std::optional<StunPacket> request = StunPacket::Parse(packet);
  if (!request) {
    ++stats_.dropped_malformed;
    return {};
  }
  return ProcessStun(*request, from, out, now);
}

IceCheckResult IceServer::ProcessStun(const StunPacket& request, const TransportAddress& from,
                                      std::span<std::uint8_t> out, Clock::time_point now) {
  // RFC 8445 §7.2.2 / RFC 8489 §7.3: a message failing FINGERPRINT is not (our) STUN.
  if (!request.CheckFingerprint()) {
    ++stats_.dropped_fingerprint;
    return {};
  }
  // A lite agent sends no checks, so it only answers Binding requests; Binding indications
  // (keepalives, RFC 8445 §11) need no answer.
  if (request.Method() != stun::kMethodBinding || request.Class() != stun::StunClass::kRequest) {
    ++stats_.dropped_not_request;
    return {};
  }
  // RFC 8489 §9.1.3: both USERNAME and MESSAGE-INTEGRITY are required, else 400.
  const std::optional<std::string_view> username = request.Username();
  if (!username || !request.HasMessageIntegrity()) {
    ++stats_.bad_requests;
    return Reject(request, stun::kErrorBadRequest, "Bad Request", {}, out);
  }
  // A USERNAME we do not know, or a failed integrity check: 401 without MESSAGE-INTEGRITY.
  if (*username != expected_username_ || !request.CheckIntegrity(local_pwd_)) {
    ++stats_.unauthorized;
    return Reject(request, stun::kErrorUnauthorized, "Unauthorized", {}, out);
  }
  // RFC 8445 §7.1.1: a check carries PRIORITY.
  if (!request.Priority()) {
    ++stats_.bad_requests;
    return Reject(request, stun::kErrorBadRequest, "Bad Request", local_pwd_, out);
  }
  // RFC 8445 §6.1.1: a lite agent is always controlled; a peer that also claims the controlled
  // role is in conflict, and we cannot switch (§7.3.1.1), so it must.
  if (request.IceControlled()) {
    ++stats_.role_conflicts;
    return Reject(request, stun::kErrorRoleConflict, "Role Conflict", local_pwd_, out);
  }

  if (IsReplay(request, from)) {
    ++stats_.dropped_replay;
    return {};
  }

  IceCheckResult result;
  result.valid = true;
  ++stats_.valid_checks;
  last_valid_check_ = now;
  // RFC 8445 §7.3.1.5 (lite): USE-CANDIDATE nominates this pair; the latest nomination wins.
  if (request.HasUseCandidate()) {
    result.nominated = true;
    ++stats_.nominations;
    selected_ = from;
  }
  result.response_bytes =
      StunWriter::WriteBindingSuccess(out, request.TransactionId(), from, local_pwd_);
  return result;
}

bool IceServer::IsReplay(const StunPacket& request, const TransportAddress& from) {
  const auto id = request.TransactionId();
  const std::size_t hash = from.Hash();
  const std::size_t filled = std::min(seen_count_, kSeenTransactions);
  for (std::size_t i = 0; i < filled; ++i) {
    const auto& seen = seen_[i];
    if (std::equal(id.begin(), id.end(), seen.id.begin())) return seen.address_hash != hash;
  }
  auto& slot = seen_[seen_count_ % kSeenTransactions];
  std::copy(id.begin(), id.end(), slot.id.begin());
  slot.address_hash = hash;
  ++seen_count_;
  return false;
}

bool IceServer::IsTimedOut(Clock::time_point now, Clock::duration timeout) const {
  return now - last_valid_check_ > timeout;
}

std::optional<std::string_view> IceServer::LocalUfragOf(const StunPacket& packet) {
  const std::optional<std::string_view> username = packet.Username();
  if (!username) return std::nullopt;
  const std::size_t colon = username->find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return username->substr(0, colon);
}

}  // namespace chorus::rtc
