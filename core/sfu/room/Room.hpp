// A voice room on one media worker: its participants, the current loudest speakers (with
// switching hysteresis, pinned speakers first: SpeakerSelection) and forwarding: each participant
// hears the first K selected speakers other than itself (so up to K+1 are selected: a selected
// speaker hears the K others), each in the receive slot that carries that speaker; never one's
// own voice.
// Also RTCP reports, consent expiry, DTLS failures and periodic events.
// Thread affinity: the owning media worker only. Forwarding takes no locks and allocates nothing.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "room/PacketOutput.hpp"
#include "room/Participant.hpp"
#include "room/RoomEvents.hpp"
#include "room/SpeakerSelection.hpp"
#include "room/WorkerCounters.hpp"
#include "rtc/DtlsContext.hpp"
#include "rtc/StunPacket.hpp"

namespace chorus::sfu {

struct RoomOptions {
  std::size_t audio_slots = 4;  // K: speakers forwarded at once
  std::chrono::steady_clock::duration consent_timeout = std::chrono::seconds(30);
};

class Room {
 public:
  using Clock = std::chrono::steady_clock;

  static constexpr auto kSelectInterval = std::chrono::milliseconds(100);  // ≤10 speaker events/s
  static constexpr auto kRtcpInterval = std::chrono::seconds(1);
  static constexpr auto kStatsInterval = std::chrono::seconds(2);
  static constexpr double kSwitchMarginLoudness = SpeakerSelection::kSwitchMarginLoudness;
  static constexpr double kMinLoudness = SpeakerSelection::kMinLoudness;

  // Called just before a participant is destroyed (the worker forgets its ufrag/address).
  using RemovedHook = std::function<void(const Participant&)>;

  Room(std::string name, RoomOptions options, const rtc::DtlsContext& dtls, PacketOutput& output,
       WorkerCounters& counters);
  ~Room();

  // Adds a participant; one with the same user id is removed first ("replaced"). Everyone else
  // gets a member "joined" event. Returns the new participant.
  Participant& Add(ParticipantOptions options, EventSink sink, Clock::time_point now);

  // Removes the participant of `user_id` (it gets a RemovedEvent, the others "left").
  // Returns false when there is none.
  bool Remove(std::int64_t user_id, RemovalReason reason, const std::string& message = {});
  // Removes every participant the same way; returns how many.
  std::size_t RemoveAll(RemovalReason reason, const std::string& message = {});

  // Sets self- or server-mute; everyone gets a "muted" event when the state changed.
  // Returns false when the user is not in the room.
  bool SetMuted(std::int64_t user_id, bool muted, bool by_host);

  // Replaces the pinned user ids: a pinned participant that is speaking is selected ahead of
  // louder unpinned ones. Ids of users not in the room are kept and apply when they join. The
  // selection follows at the next Tick().
  void SetPinned(std::vector<std::int64_t> user_ids);
  const std::vector<std::int64_t>& Pinned() const { return pinned_; }

  Participant* Find(std::int64_t user_id);
  std::vector<MemberInfo> Members() const;
  std::size_t Size() const { return participants_.size(); }
  const std::string& Name() const { return name_; }
  void SetRemovedHook(RemovedHook hook) { removed_hook_ = std::move(hook); }

  // Handles a STUN message for `participant` (ICE check).
  rtc::IceCheckResult OnStun(Participant& participant, const rtc::StunPacket& packet,
                             const rtc::TransportAddress& from, Clock::time_point now);

  // Handles any other datagram from `participant`'s address (RFC 7983 demux: DTLS, SRTP, SRTCP),
  // forwarding audio. `data` is modified in place (unprotected).
  void OnDatagram(Participant& participant, std::span<std::uint8_t> data, Clock::time_point now);

  // Timers: DTLS retransmission, speaker selection and events, RTCP, stats, consent and DTLS
  // failure removal. Call every ~10-20 ms.
  void Tick(Clock::time_point now);

  // Re-selects the top-K speakers now (normally done by Tick every kSelectInterval).
  void SelectSpeakers(Clock::time_point now);
  // The currently selected speakers (up to K+1), in priority order.
  const std::vector<Participant*>& Selected() const { return selection_.List(); }

 private:
  void Forward(Participant& speaker, const rtc::RtpPacket& packet, const rtc::AudioLevel& level,
               Clock::time_point now);
  void AssignSlots();
  void EmitSpeakersIfChanged();
  void EmitAll(const SfuEvent& event, const Participant* except = nullptr);
  // True when `speaker` is among the first K selected speakers other than `subscriber`.
  bool Hears(const Participant& subscriber, const Participant& speaker) const;
  bool IsPinnedId(std::int64_t user_id) const;

  std::string name_;
  RoomOptions options_;
  const rtc::DtlsContext& dtls_;
  PacketOutput& output_;
  WorkerCounters& counters_;
  RemovedHook removed_hook_;
  std::vector<std::unique_ptr<Participant>> participants_;
  SpeakerSelection selection_;
  std::vector<std::int64_t> pinned_;
  std::vector<std::int64_t> last_speakers_;
  Clock::time_point next_select_{}, next_rtcp_{}, next_stats_{};
  std::array<std::uint8_t, Participant::kScratchBytes> scratch_{};
};

}  // namespace chorus::sfu
