// The controlling side of ICE for Chorus's C++ test peer (RFC 8445 §7.2): writes connectivity
// checks with USE-CANDIDATE (aggressive-style nomination, as browsers do toward a lite agent)
// and recognizes the server's answers by transaction id. No I/O, no timers: the owner decides
// when to send and retransmit.
// Thread affinity: one thread at a time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "rtc/StunConstants.hpp"
#include "rtc/TransportAddress.hpp"

namespace chorus::rtc {

// What a datagram from the server meant to the client.
struct IceClientResponse {
  bool matched = false;                    // a STUN response to one of our outstanding requests
  bool success = false;                    // ... a Binding success whose integrity verified
  std::uint16_t error_code = 0;            // ... or a Binding error with this code
  std::optional<TransportAddress> mapped;  // XOR-MAPPED-ADDRESS of a success
};

class IceClient {
 public:
  // Host candidate priority for a type preference of 126, local preference 65535, component 1
  // (RFC 8445 §5.1.2.1).
  static constexpr std::uint32_t kDefaultPriority = (126u << 24) | (65535u << 8) | (256u - 1u);

  // `local_*` are the test peer's own credentials (sent in its offer), `remote_*` the server's
  // (from its answer). `tie_breaker` is random per agent (RFC 8445 §16.1).
  IceClient(std::string local_ufrag, std::string local_pwd, std::string remote_ufrag,
            std::string remote_pwd, std::uint64_t tie_breaker);

  // Writes a Binding request: USERNAME "remoteUfrag:localUfrag", PRIORITY, ICE-CONTROLLING,
  // USE-CANDIDATE if `nominate`, MESSAGE-INTEGRITY with the remote password, FINGERPRINT. A fresh
  // random transaction id is remembered (the last kMaxOutstanding). Returns bytes or 0.
  std::size_t WriteBindingRequest(std::span<std::uint8_t> out, bool nominate = true,
                                  std::uint32_t priority = kDefaultPriority);

  // Interprets a datagram from the server. A Binding success matching an outstanding transaction
  // whose MESSAGE-INTEGRITY verifies with the remote password (and FINGERPRINT, if present)
  // completes the check: IsConnected() turns true. Anything else is reported as not matched or
  // as an error response.
  IceClientResponse ProcessResponse(std::span<const std::uint8_t> packet);

  // True once a nominating check has succeeded.
  bool IsConnected() const { return connected_; }

  // Our address as the server saw it, from the latest successful response.
  const std::optional<TransportAddress>& MappedAddress() const { return mapped_; }

  static constexpr std::size_t kMaxOutstanding = 8;

 private:
  using TransactionId = std::array<std::uint8_t, stun::kTransactionIdBytes>;
  struct Outstanding {
    TransactionId id{};
    bool nominate = false;
    bool in_use = false;
  };

  std::string local_ufrag_;
  std::string local_pwd_;
  std::string remote_ufrag_;
  std::string remote_pwd_;
  std::string username_;  // "remoteUfrag:localUfrag"
  std::uint64_t tie_breaker_;
  std::array<Outstanding, kMaxOutstanding> outstanding_{};
  std::size_t next_slot_ = 0;
  bool connected_ = false;
  std::optional<TransportAddress> mapped_;
};

}  // namespace chorus::rtc
