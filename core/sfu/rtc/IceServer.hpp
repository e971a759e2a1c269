// The ICE-lite responder for one participant (RFC 8445 §2.5, §7.3): answers the browser's
// connectivity checks, learns the nominated path from USE-CANDIDATE and tracks consent
// (RFC 7675) so its owner can drop a participant whose checks stop. No I/O: the owner feeds it
// datagrams and sends what it writes.
// Thread affinity: owned and called by one media worker thread only.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rtc/StunPacket.hpp"
#include "rtc/TransportAddress.hpp"

namespace chorus::rtc {

// What ProcessStun did with one datagram.
struct IceCheckResult {
  std::size_t response_bytes = 0;  // bytes written to `out` to send back to `from` (0: none)
  bool nominated = false;          // the check carried USE-CANDIDATE: `from` is now the path
  bool valid = false;              // an authenticated Binding request from our peer
  std::uint16_t error_code = 0;    // the STUN error sent back (400, 401, 487), 0 if none
};

// Counters of what the responder saw, for stats and rate-limited logs by the owner.
struct IceServerStats {
  std::uint64_t valid_checks = 0;
  std::uint64_t nominations = 0;
  std::uint64_t dropped_malformed = 0;    // not STUN, or STUN that failed Parse
  std::uint64_t dropped_fingerprint = 0;  // FINGERPRINT missing or wrong
  std::uint64_t dropped_not_request = 0;  // responses, indications, other methods
  std::uint64_t bad_requests = 0;         // answered 400
  std::uint64_t unauthorized = 0;         // answered 401 (wrong USERNAME or MESSAGE-INTEGRITY)
  std::uint64_t role_conflicts = 0;       // answered 487
  std::uint64_t dropped_replay = 0;       // a seen transaction id from another address
};

class IceServer {
 public:
  using Clock = std::chrono::steady_clock;
  // Transaction ids remembered against replay: browsers check every 0.05–5 s, so this covers
  // minutes of checks for ~2 KiB per participant.
  static constexpr std::size_t kSeenTransactions = 128;

  // `local_*` are ours (sent in the SDP answer), `remote_ufrag` is the browser's (from its
  // offer). `now` starts the consent clock, so a peer that never checks in also times out.
  IceServer(std::string local_ufrag, std::string local_pwd, std::string remote_ufrag,
            Clock::time_point now);

  // Handles one datagram from `from` (RFC 8445 §7.3, RFC 8489 §6.3). A Binding request with a
  // good FINGERPRINT whose USERNAME is "localUfrag:remoteUfrag" and whose MESSAGE-INTEGRITY
  // verifies with the local password gets a success response carrying XOR-MAPPED-ADDRESS =
  // `from`; with USE-CANDIDATE, `from` becomes the selected path. A transaction id seen before
  // (of the last kSeenTransactions) is a retransmission when it comes from the same address and
  // a replay otherwise: a replay is dropped, so a captured check can never move the path. A request
  // missing USERNAME, MESSAGE-INTEGRITY or PRIORITY gets 400, a wrong USERNAME or integrity 401,
  // ICE-CONTROLLED 487 (a lite agent is always controlled). Anything else is dropped and counted.
  // The response is written to `out` (which must not overlap `packet`); response_bytes is 0 if it
  // did not fit.
  IceCheckResult ProcessStun(std::span<const std::uint8_t> packet, const TransportAddress& from,
                             std::span<std::uint8_t> out, Clock::time_point now);

  // The same for a message the caller has already parsed (e.g. to find this IceServer by
  // LocalUfragOf); `request` must come from StunPacket::Parse.
  IceCheckResult ProcessStun(const StunPacket& request, const TransportAddress& from,
                             std::span<std::uint8_t> out, Clock::time_point now);

  // True when no valid check arrived for longer than `timeout` (since construction if none ever
  // did): consent expired (RFC 7675 §5.1; browsers check every ~5 s, we use e.g. 30 s).
  bool IsTimedOut(Clock::time_point now, Clock::duration timeout) const;

  // The path nominated with USE-CANDIDATE (the latest one), or nullopt before nomination.
  const std::optional<TransportAddress>& SelectedAddress() const { return selected_; }

  // When the latest valid check arrived (or construction time if none did).
  Clock::time_point LastValidCheck() const { return last_valid_check_; }

  // The credentials this responder was built with, and its counters.
  const std::string& LocalUfrag() const { return local_ufrag_; }
  const std::string& LocalPwd() const { return local_pwd_; }
  const std::string& RemoteUfrag() const { return remote_ufrag_; }
  const IceServerStats& Stats() const { return stats_; }

  // The part of a USERNAME before ':' — our ufrag in a check sent to us — so a demultiplexer
  // can find the IceServer a first check belongs to. nullopt if absent or without ':'.
  static std::optional<std::string_view> LocalUfragOf(const StunPacket& packet);

 private:
  IceCheckResult Reject(const StunPacket& request, std::uint16_t code, std::string_view reason,
                        std::string_view key, std::span<std::uint8_t> out);

  std::string local_ufrag_;
  std::string local_pwd_;
  std::string remote_ufrag_;
  std::string expected_username_;  // "localUfrag:remoteUfrag" (RFC 8445 §7.2.2)
  // Whether a check is a replay (its transaction id seen from another address); remembers it
  // otherwise.
  bool IsReplay(const StunPacket& request, const TransportAddress& from);

  std::optional<TransportAddress> selected_;
  Clock::time_point last_valid_check_;
  IceServerStats stats_;

  struct SeenTransaction {
    std::array<std::uint8_t, stun::kTransactionIdBytes> id{};
    std::size_t address_hash = 0;
  };
  std::array<SeenTransaction, kSeenTransactions> seen_{};
  std::size_t seen_count_ = 0;  // entries filled (up to the size), next = seen_count_ % size
};

}  // namespace chorus::rtc
