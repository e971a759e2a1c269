// Writes STUN messages (RFC 8489) into a caller-provided buffer, attribute by attribute, then
// MESSAGE-INTEGRITY and FINGERPRINT. No allocation; a message that does not fit yields 0 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "rtc/StunConstants.hpp"
#include "rtc/TransportAddress.hpp"

namespace chorus::rtc {

// What goes into an ICE connectivity check (RFC 8445 §7.1.1).
struct StunBindingRequestParams {
  std::string_view username;  // "remoteUfrag:localUfrag" as seen by the sender
  std::string_view password;  // the receiver's ICE password, keys MESSAGE-INTEGRITY
  std::uint32_t priority = 0;
  std::uint64_t tie_breaker = 0;
  bool controlling = true;  // ICE-CONTROLLING, else ICE-CONTROLLED
  bool use_candidate = false;
};

class StunWriter {
 public:
  // Starts a message of `type` with `transaction_id` in `out`. If `out` cannot hold the header the
  // writer is failed from the start.
  StunWriter(std::span<std::uint8_t> out, std::uint16_t type,
             std::span<const std::uint8_t, stun::kTransactionIdBytes> transaction_id);

  // Each Add* appends one attribute (with padding) and returns false, failing the writer, when
  // the buffer is too small or the value too long. Attributes must precede MESSAGE-INTEGRITY.
  bool AddUsername(std::string_view username);
  bool AddPriority(std::uint32_t priority);
  bool AddUseCandidate();
  bool AddIceControlling(std::uint64_t tie_breaker);
  bool AddIceControlled(std::uint64_t tie_breaker);
  bool AddXorMappedAddress(const TransportAddress& address);
  bool AddErrorCode(std::uint16_t code, std::string_view reason);
  bool AddSoftware(std::string_view software);

  // Appends MESSAGE-INTEGRITY keyed by `key` (RFC 8489 §14.5).
  bool AddMessageIntegrity(std::string_view key);

  // Appends FINGERPRINT (RFC 8489 §14.7); must be last.
  bool AddFingerprint();

  // The message length so far, or 0 if any step failed.
  std::size_t Finish() const { return failed_ ? 0 : size_; }

  // A Binding success response to `request_id` with XOR-MAPPED-ADDRESS `mapped`, then
  // MESSAGE-INTEGRITY (keyed by `key`) and FINGERPRINT. Returns bytes written or 0.
  static std::size_t WriteBindingSuccess(
      std::span<std::uint8_t> out,
      std::span<const std::uint8_t, stun::kTransactionIdBytes> request_id,
      const TransportAddress& mapped, std::string_view key);

  // A Binding request: USERNAME, PRIORITY, ICE-CONTROLLING/-CONTROLLED, USE-CANDIDATE if asked,
  // MESSAGE-INTEGRITY, FINGERPRINT. Returns bytes written or 0.
  static std::size_t WriteBindingRequest(
      std::span<std::uint8_t> out, std::span<const std::uint8_t, stun::kTransactionIdBytes> id,
      const StunBindingRequestParams& params);

  // A Binding error response with ERROR-CODE; MESSAGE-INTEGRITY only if `key` is not empty (a 400
  // or 401 is sent without it, RFC 8489 §9.1.3), then FINGERPRINT. Returns bytes written or 0.
  static std::size_t WriteBindingError(
      std::span<std::uint8_t> out,
      std::span<const std::uint8_t, stun::kTransactionIdBytes> request_id, std::uint16_t code,
      std::string_view reason, std::string_view key);

 private:
  // Reserves an attribute header and padded value; returns a pointer to the value or nullptr.
  std::uint8_t* Append(std::uint16_t attr_type, std::size_t value_length);
  void SetHeaderLength(std::size_t body_length);

  std::span<std::uint8_t> out_;
  std::size_t size_ = 0;
  bool failed_ = false;
};

}  // namespace chorus::rtc
