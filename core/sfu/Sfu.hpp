// The SFU engine as chorusd uses it: media workers on one UDP port, rooms pinned to a worker,
// and a thread-safe control API (join/leave/mute/kick/snapshot/stats) that posts to the room's
// worker. Events for a participant arrive on its EventSink on that worker's thread.
// Thread affinity: every public method is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "room/RoomEvents.hpp"

namespace chorus::rtc {
class DtlsContext;
}

namespace chorus::sfu {

class MediaWorker;
class RouteTable;

struct SfuConfig {
  std::uint16_t udp_port = 40000;  // 0 picks a free port (tests)
  std::string bind = "0.0.0.0";
  // Addresses in the ICE candidates, first preferred (numeric, at most 8); the API layer resolves
  // the default (config/MediaAddresses).
  std::vector<std::string> announce_ips = {"127.0.0.1"};
  std::size_t audio_slots = 4;  // K receive slots per participant
  std::size_t workers = 0;      // 0 = one per core
  std::chrono::seconds consent_timeout{30};
  // ICE-TCP (RFC 6544 passive candidates, RFC 4571 framing) for networks that block UDP.
  std::optional<std::uint16_t> tcp_port;      // nullopt: the UDP port's number; 0 picks a free port
  std::size_t tcp_max_connections = 1000;     // open at once in the process; 0 turns ICE-TCP off
  std::chrono::seconds tcp_idle_timeout{30};  // close a connection whose ICE checks stop this long
  // A connection that brings no valid ICE check for a known participant this soon is closed.
  std::chrono::milliseconds tcp_bind_timeout{5000};
};

struct JoinRequest {
  std::string room;  // e.g. "stream-7"
  std::int64_t user_id = 0;
  std::string username;
  std::string offer_sdp;
  bool can_publish = true;
};

struct SlotInfo {
  std::size_t index = 0;
  std::string mid;
  std::uint32_t ssrc = 0;
};

struct JoinResult {
  bool ok = false;
  std::string error_code;  // e.g. "sdp_no_opus", "unavailable"
  std::string error_message;
  std::string answer_sdp;
  std::string participant_id;
  std::vector<SlotInfo> slots;
  std::vector<MemberInfo> members;  // everyone in the room, the new participant included
};

// Counters for /metrics, summed over workers.
struct SfuStats {
  std::uint64_t packets_in = 0, packets_out = 0, forwarded = 0, handed_off = 0;
  std::uint64_t dropped_malformed = 0, dropped_unknown = 0, dropped_srtp = 0, dropped_muted = 0,
                dropped_not_ready = 0, dropped_handoff = 0;
  std::size_t rooms = 0, participants = 0, workers = 0;
  // ICE-TCP (see net::TcpCounters): open connections, and totals.
  std::size_t tcp_connections = 0;
  std::uint64_t tcp_accepted = 0, tcp_refused = 0, tcp_closed_unbound = 0, tcp_closed_idle = 0,
                tcp_closed_oversize = 0, tcp_closed_peer = 0, tcp_handed_off = 0, tcp_frames_in = 0,
                tcp_frames_out = 0, tcp_send_dropped = 0;
};

class Sfu {
 public:
  using JoinCallback = std::function<void(JoinResult)>;

  // Creates the DTLS certificate, binds one UDP socket per worker on the same port (SO_REUSEPORT),
  // and one TCP listener per worker on the TCP port unless ICE-TCP is off, and starts the workers.
  // Throws std::runtime_error when binding or OpenSSL fails.
  static std::unique_ptr<Sfu> Start(const SfuConfig& config);
  ~Sfu();
  Sfu(const Sfu&) = delete;
  Sfu& operator=(const Sfu&) = delete;

  // Adds a participant to `request.room` (created on first join) and answers its offer. A second
  // join of the same (room, user) replaces the older participant, whose sink gets
  // RemovedEvent{kReplaced}. `done` runs on the room's worker thread, or at once on the calling
  // thread when the offer is refused (error_code is the SDP error, e.g. "sdp_no_opus").
  void Join(JoinRequest request, EventSink sink, JoinCallback done);

  // Removes the user from the room (reason "left"). With a non-empty `participant_id`, only
  // that participant is removed (a replaced connection closing must not remove its successor).
  void Leave(const std::string& room, std::int64_t user_id, const std::string& participant_id = {});

  // Self-mute (by_host false) or server mute (by_host true): the SFU stops forwarding the user's
  // audio and tells the room. A host mute is only lifted by a host unmute.
  void SetMuted(const std::string& room, std::int64_t user_id, bool muted, bool by_host);

  // Replaces the room's pinned speakers: while a pinned participant is speaking (per its speaker
  // detector) it is forwarded ahead of louder unpinned speakers; among pinned speakers the louder
  // goes first. Ids of users not in the room are kept and apply when they join; the pins outlive
  // the room being empty. Empty unpins everyone.
  void SetPinned(const std::string& room, std::vector<std::int64_t> user_ids);

  // Removes the user with reason "kicked" and `reason` as the message.
  void Kick(const std::string& room, std::int64_t user_id, const std::string& reason);

  // Removes the user (only participant `participant_id` when it is not empty) with `reason` and
  // `message` in its RemovedEvent: the server ending a membership (RemovalReason::kClosed).
  void Remove(const std::string& room, std::int64_t user_id, RemovalReason reason,
              const std::string& message, const std::string& participant_id = {});
  // Removes every participant of `room`, or of every room when `room` is empty, the same way.
  void RemoveAll(const std::string& room, RemovalReason reason, const std::string& message);

  // The room's members with muted/speaking, delivered to `done` on the worker thread (empty when
  // the room does not exist).
  void RoomSnapshot(const std::string& room, std::function<void(std::vector<MemberInfo>)> done);
  // The same, waiting up to one second (for tools and tests; not for I/O threads).
  std::vector<MemberInfo> RoomSnapshot(const std::string& room);

  SfuStats Stats() const;
  std::uint16_t UdpPort() const { return udp_port_; }
  // The ICE-TCP port, 0 when ICE-TCP is off.
  std::uint16_t TcpPort() const { return tcp_port_; }
  const SfuConfig& Config() const { return config_; }

 private:
  explicit Sfu(SfuConfig config);
  // The worker a room is pinned to (assigned on first use, fewest rooms first).
  MediaWorker& WorkerFor(const std::string& room);
  MediaWorker* ExistingWorkerFor(const std::string& room);

  SfuConfig config_;
  std::uint16_t udp_port_ = 0;
  std::uint16_t tcp_port_ = 0;
  std::atomic<std::size_t> tcp_open_{0};  // ICE-TCP connections open on all workers
  std::shared_ptr<const rtc::DtlsContext> dtls_;
  std::unique_ptr<RouteTable> routes_;
  std::vector<std::unique_ptr<MediaWorker>> workers_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::size_t> room_workers_;
  std::vector<std::size_t> rooms_per_worker_;
};

}  // namespace chorus::sfu
