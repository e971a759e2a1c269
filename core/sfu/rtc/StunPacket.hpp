// A parsed STUN message (RFC 8489): a read-only view over the caller's buffer that remembers
// where the attributes ICE uses start. Parsing never throws and never allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtc/StunConstants.hpp"
#include "rtc/TransportAddress.hpp"

namespace chorus::rtc {

// The ERROR-CODE attribute's value (RFC 8489 §14.8).
struct StunErrorCode {
  std::uint16_t code = 0;   // 300..699
  std::string_view reason;  // UTF-8 reason phrase, a view into the packet
};

class StunPacket {
 public:
  // True if `data` looks like STUN on a multiplexed port: first byte 0..3 (RFC 7983 §7), at least
  // a header long, and the magic cookie in place (RFC 8489 §5).
  static bool IsStun(std::span<const std::uint8_t> data);

  // Parses and validates a whole message: header, length (a multiple of 4 that matches the
  // datagram), every attribute fitting, sizes of known attributes, FINGERPRINT last. Attributes
  // after MESSAGE-INTEGRITY other than FINGERPRINT are ignored (RFC 8489 §14.5). Returns nullopt
  // for anything malformed. The packet keeps pointing into `data`, which must outlive it.
  static std::optional<StunPacket> Parse(std::span<const std::uint8_t> data);

  // The full 16-bit message type, its method and its class.
  std::uint16_t Type() const { return type_; }
  std::uint16_t Method() const { return stun::MethodOf(type_); }
  stun::StunClass Class() const { return stun::ClassOf(type_); }

  // The 96-bit transaction id.
  std::span<const std::uint8_t, stun::kTransactionIdBytes> TransactionId() const {
    return data_.subspan<8, stun::kTransactionIdBytes>();
  }

  // The whole message as parsed.
  std::span<const std::uint8_t> Data() const { return data_; }

  // USERNAME (RFC 8489 §14.3), a view into the packet; nullopt if absent.
  std::optional<std::string_view> Username() const;

  // PRIORITY (RFC 8445 §16.1); nullopt if absent.
  std::optional<std::uint32_t> Priority() const;

  // True if USE-CANDIDATE is present (RFC 8445 §16.1).
  bool HasUseCandidate() const { return use_candidate_; }

  // The tie-breaker of ICE-CONTROLLING / ICE-CONTROLLED (RFC 8445 §16.1); nullopt if absent.
  std::optional<std::uint64_t> IceControlling() const;
  std::optional<std::uint64_t> IceControlled() const;

  // XOR-MAPPED-ADDRESS decoded (RFC 8489 §14.2); nullopt if absent or of an unknown family.
  std::optional<TransportAddress> XorMappedAddress() const;

  // ERROR-CODE (RFC 8489 §14.8); nullopt if absent or its code is out of range.
  std::optional<StunErrorCode> ErrorCode() const;

  // True if the message carries MESSAGE-INTEGRITY / FINGERPRINT (not whether they verify).
  bool HasMessageIntegrity() const { return integrity_offset_ != 0; }
  bool HasFingerprint() const { return fingerprint_offset_ != 0; }

  // Verifies MESSAGE-INTEGRITY with a short-term credential: HMAC-SHA1 keyed by `key` (the
  // password) over the message up to the attribute, the header length covering up to and
  // including it (RFC 8489 §14.5). Constant-time compare. False if the attribute is absent.
  bool CheckIntegrity(std::string_view key) const;

  // Verifies FINGERPRINT: CRC-32 of the message before it, XOR 0x5354554e (RFC 8489 §14.7).
  // False if the attribute is absent.
  bool CheckFingerprint() const;

 private:
  explicit StunPacket(std::span<const std::uint8_t> data) : data_(data) {}

  // Reads the big-endian value of an attribute whose value starts at `offset`.
  std::uint32_t ReadU32(std::size_t offset) const;
  std::uint64_t ReadU64(std::size_t offset) const;

  std::span<const std::uint8_t> data_;
  std::uint16_t type_ = 0;
  // Offsets of attribute values (0 = absent: no value can start inside the header).
  std::uint16_t username_offset_ = 0;
  std::uint16_t username_length_ = 0;
  std::uint16_t priority_offset_ = 0;
  std::uint16_t controlling_offset_ = 0;
  std::uint16_t controlled_offset_ = 0;
  std::uint16_t xor_mapped_offset_ = 0;
  std::uint16_t xor_mapped_length_ = 0;
  std::uint16_t error_code_offset_ = 0;
  std::uint16_t error_code_length_ = 0;
  // Offsets of the attribute headers (type field) of MESSAGE-INTEGRITY and FINGERPRINT.
  std::uint16_t integrity_offset_ = 0;
  std::uint16_t fingerprint_offset_ = 0;
  bool use_candidate_ = false;
};

}  // namespace chorus::rtc
