#include "rtc/IceClient.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <utility>

#include "rtc/StunPacket.hpp"
#include "rtc/StunWriter.hpp"

namespace chorus::rtc {

IceClient::IceClient(std::string local_ufrag, std::string local_pwd, std::string remote_ufrag,
                     std::string remote_pwd, std::uint64_t tie_breaker)
    : local_ufrag_(std::move(local_ufrag)),
      local_pwd_(std::move(local_pwd)),
      remote_ufrag_(std::move(remote_ufrag)),
      remote_pwd_(std::move(remote_pwd)),
      username_(remote_ufrag_ + ":" + local_ufrag_),
      tie_breaker_(tie_breaker) {}

std::size_t IceClient::WriteBindingRequest(std::span<std::uint8_t> out, bool nominate,
                                           std::uint32_t priority) {
  TransactionId id;
  if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1) return 0;
  StunBindingRequestParams params;
  params.username = username_;
  params.password = remote_pwd_;
  params.priority = priority;
  params.tie_breaker = tie_breaker_;
  params.controlling = true;
  params.use_candidate = nominate;
  const std::size_t written = StunWriter::WriteBindingRequest(out, id, params);
  if (written == 0) return 0;
  Outstanding& slot = outstanding_[next_slot_];
  next_slot_ = (next_slot_ + 1) % outstanding_.size();
  slot.id = id;
  slot.nominate = nominate;
  slot.in_use = true;
  return written;
}

IceClientResponse IceClient::ProcessResponse(std::span<const std::uint8_t> packet) {
  IceClientResponse response;
  const std::optional<StunPacket> parsed = StunPacket::Parse(packet);
  if (!parsed || parsed->Method() != stun::kMethodBinding) return response;
  const bool is_success = parsed->Class() == stun::StunClass::kSuccessResponse;
  const bool is_error = parsed->Class() == stun::StunClass::kErrorResponse;
  if (!is_success && !is_error) return response;
  if (parsed->HasFingerprint() && !parsed->CheckFingerprint()) return response;

  const auto id = parsed->TransactionId();
  auto it = std::find_if(outstanding_.begin(), outstanding_.end(), [&](const Outstanding& o) {
    return o.in_use && std::equal(o.id.begin(), o.id.end(), id.begin());
  });
  if (it == outstanding_.end()) return response;

  if (is_error) {
    // 400/401 come without MESSAGE-INTEGRITY (the server may not know our key); report them.
    const std::optional<StunErrorCode> error = parsed->ErrorCode();
    if (parsed->HasMessageIntegrity() && !parsed->CheckIntegrity(remote_pwd_)) return response;
    response.matched = true;
    response.error_code = error ? error->code : 0;
    it->in_use = false;
    return response;
  }
  // RFC 8445 §7.2.5.2: a success response must be authenticated with the password we used.
  if (!parsed->CheckIntegrity(remote_pwd_)) return response;
  response.matched = true;
  response.success = true;
  response.mapped = parsed->XorMappedAddress();
  mapped_ = response.mapped;
  if (it->nominate) connected_ = true;
  it->in_use = false;
  return response;
}

}  // namespace chorus::rtc
