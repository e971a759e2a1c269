#include "room/Room.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace chorus::sfu {
namespace {

// RFC 7983 §7: the first byte tells STUN (0..3), DTLS (20..63) and RTP/RTCP (128..191) apart.
bool IsDtls(std::span<const std::uint8_t> data) {
  return !data.empty() && data[0] >= 20 && data[0] <= 63;
}

}  // namespace

Room::Room(std::string name, RoomOptions options, const rtc::DtlsContext& dtls,
           PacketOutput& output, WorkerCounters& counters)
    : name_(std::move(name)),
      options_(options),
      dtls_(dtls),
      output_(output),
      counters_(counters),
      selection_(options_.audio_slots + 1) {
  last_speakers_.reserve(16);
}

Room::~Room() {
  // Shutdown: no events (the signaling side is going away too), only the worker's bookkeeping.
  selection_.Clear();
  for (auto& p : participants_) {
    for (auto& slot : p->Slots()) slot.speaker = nullptr;
    if (removed_hook_) removed_hook_(*p);
  }
  participants_.clear();
}

Participant& Room::Add(ParticipantOptions options, EventSink sink, Clock::time_point now) {
  Remove(options.user_id, RemovalReason::kReplaced, "a newer connection replaced this one");
  participants_.push_back(
      std::make_unique<Participant>(std::move(options), dtls_, output_, std::move(sink), now));
  Participant& added = *participants_.back();
  added.SetPinned(IsPinnedId(added.UserId()));
  EmitAll(MemberEvent{MemberEvent::Kind::kJoined, added.Member()}, &added);
  AssignSlots();
  return added;
}

std::size_t Room::RemoveAll(RemovalReason reason, const std::string& message) {
  std::vector<std::int64_t> users;
  users.reserve(participants_.size());
  for (const auto& p : participants_) users.push_back(p->UserId());
  std::size_t removed = 0;
  for (const auto user : users) removed += Remove(user, reason, message) ? 1 : 0;
  return removed;
}

bool Room::Remove(std::int64_t user_id, RemovalReason reason, const std::string& message) {
  const auto it = std::find_if(participants_.begin(), participants_.end(),
                               [&](const auto& p) { return p->UserId() == user_id; });
  if (it == participants_.end()) return false;
  std::unique_ptr<Participant> gone = std::move(*it);
  participants_.erase(it);
  selection_.Remove(*gone);
  AssignSlots();
  gone->Emit(RemovedEvent{reason, message});
  if (removed_hook_) removed_hook_(*gone);
  spdlog::info("[room] participant removed room={} user={} reason={}", name_, user_id,
               RemovalReasonName(reason));
  MemberInfo member = gone->Member();
  gone.reset();
  EmitAll(MemberEvent{MemberEvent::Kind::kLeft, member});
  return true;
}

bool Room::SetMuted(std::int64_t user_id, bool muted, bool by_host) {
  Participant* p = Find(user_id);
  if (!p) return false;
  const bool was = p->Muted();
  if (by_host) {
    p->SetHostMuted(muted);
  } else {
    p->SetSelfMuted(muted);
  }
  if (p->Muted() && selection_.Remove(*p)) AssignSlots();
  if (was != p->Muted() || by_host) {
    const MutedBy by = by_host ? MutedBy::kHost : MutedBy::kSelf;
    EmitAll(MutedEvent{user_id, p->Muted(), by});
    EmitAll(MemberEvent{MemberEvent::Kind::kUpdated, p->Member()});
  }
  return true;
}

void Room::SetPinned(std::vector<std::int64_t> user_ids) {
  pinned_ = std::move(user_ids);
  for (auto& p : participants_) p->SetPinned(IsPinnedId(p->UserId()));
  next_select_ = {};  // re-select at the next Tick
  spdlog::info("[room] pinned room={} users={}", name_, pinned_.size());
}

bool Room::IsPinnedId(std::int64_t user_id) const {
  return std::find(pinned_.begin(), pinned_.end(), user_id) != pinned_.end();
}

Participant* Room::Find(std::int64_t user_id) {
  for (auto& p : participants_) {
    if (p->UserId() == user_id) return p.get();
  }
  return nullptr;
}

std::vector<MemberInfo> Room::Members() const {
  std::vector<MemberInfo> members;
  members.reserve(participants_.size());
  for (const auto& p : participants_) members.push_back(p->Member());
  return members;
}

rtc::IceCheckResult Room::OnStun(Participant& participant, const rtc::StunPacket& packet,
                                 const rtc::TransportAddress& from, Clock::time_point now) {
  return participant.HandleStun(packet, from, now);
}

void Room::OnDatagram(Participant& participant, std::span<std::uint8_t> data,
                      Clock::time_point now) {
  if (IsDtls(data)) {
    participant.HandleDtls(data);
    return;
  }
  if (rtc::RtpPacket::IsRtcp(data)) {
    if (!participant.ReceiveRtcp(data, now)) WorkerCounters::Bump(counters_.drop_srtp);
    return;
  }
  if (!rtc::RtpPacket::IsRtp(data)) {
    WorkerCounters::Bump(counters_.drop_malformed);
    return;
  }
  rtc::AudioLevel level;
  bool srtp_failed = false;
  auto packet = participant.ReceiveRtp(data, now, &level, &srtp_failed);
  if (!packet) {
    WorkerCounters::Bump(srtp_failed ? counters_.drop_srtp : counters_.drop_not_ready);
    return;
  }
  if (participant.Muted()) {
    WorkerCounters::Bump(counters_.drop_muted);
    return;
  }
  Forward(participant, *packet, level, now);
}

void Room::Forward(Participant& speaker, const rtc::RtpPacket& packet, const rtc::AudioLevel& level,
                   Clock::time_point now) {
  if (!selection_.Contains(speaker)) {
    // A quiet speaker that just got loud is picked up at once when a slot is free, instead of
    // waiting for the next selection round (so the first syllable is not lost).
    if (!selection_.TryAdd(speaker)) return;
    AssignSlots();
  }
  std::uint64_t forwarded = 0;
  for (auto& subscriber : participants_) {
    if (subscriber.get() == &speaker) continue;  // never one's own voice
    auto& slots = subscriber->Slots();
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i].speaker != &speaker) continue;
      if (subscriber->SendForwarded(i, packet, speaker.UpstreamSsrc(), level, now, scratch_)) {
        ++forwarded;
      }
      break;
    }
  }
  WorkerCounters::Bump(counters_.forwarded, forwarded);
}

void Room::SelectSpeakers(Clock::time_point now) {
  for (auto& p : participants_) p->Detector().Tick(now);
  if (selection_.Update(participants_)) AssignSlots();
  EmitSpeakersIfChanged();
}

bool Room::Hears(const Participant& subscriber, const Participant& speaker) const {
  // The first K selected speakers other than the subscriber itself.
  std::size_t rank = 0;
  for (const Participant* p : selection_.List()) {
    if (p == &subscriber) continue;
    if (rank >= subscriber.Slots().size()) return false;
    if (p == &speaker) return true;
    ++rank;
  }
  return false;
}

void Room::AssignSlots() {
  for (auto& subscriber : participants_) {
    auto& slots = subscriber->Slots();
    std::array<bool, 64> changed{};
    // Keep speakers the subscriber still hears in their slot; free the others.
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i].speaker && !Hears(*subscriber, *slots[i].speaker)) {
        slots[i].speaker = nullptr;
        if (i < changed.size()) changed[i] = true;
      }
    }
    for (Participant* speaker : selection_.List()) {
      if (!Hears(*subscriber, *speaker)) continue;
      const bool placed = std::any_of(slots.begin(), slots.end(),
                                      [&](const auto& s) { return s.speaker == speaker; });
      if (placed) continue;
      for (std::size_t i = 0; i < slots.size(); ++i) {
        if (slots[i].speaker) continue;
        slots[i].speaker = speaker;
        if (i < changed.size()) changed[i] = true;
        break;
      }
    }
    for (std::size_t i = 0; i < slots.size() && i < changed.size(); ++i) {
      if (!changed[i]) continue;
      SlotEvent event{i, std::nullopt};
      if (slots[i].speaker) event.user_id = slots[i].speaker->UserId();
      subscriber->Emit(event);
    }
  }
}

void Room::EmitSpeakersIfChanged() {
  bool same = true;
  std::size_t count = 0;
  for (const auto& p : participants_) {
    if (!p->Speaking()) continue;
    if (count >= last_speakers_.size() || last_speakers_[count] != p->UserId()) same = false;
    ++count;
  }
  if (same && count == last_speakers_.size()) return;
  SpeakersEvent event;
  last_speakers_.clear();
  for (const auto& p : participants_) {
    if (!p->Speaking()) continue;
    last_speakers_.push_back(p->UserId());
    event.speakers.push_back({p->UserId(), std::clamp(p->Detector().Loudness() / 127.0, 0.0, 1.0)});
  }
  EmitAll(event);
}

void Room::EmitAll(const SfuEvent& event, const Participant* except) {
  for (const auto& p : participants_) {
    if (p.get() != except) p->Emit(event);
  }
}

void Room::Tick(Clock::time_point now) {
  for (auto& p : participants_) p->OnTimer();
  // Removals: consent expired (RFC 7675) or DTLS failed. Collected first: Remove edits the list.
  for (std::size_t i = participants_.size(); i-- > 0;) {
    if (i >= participants_.size()) continue;
    Participant& p = *participants_[i];
    if (p.DtlsFailed()) {
      Remove(p.UserId(), RemovalReason::kDtlsFailed, "DTLS handshake failed");
    } else if (p.ConsentExpired(now, options_.consent_timeout)) {
      Remove(p.UserId(), RemovalReason::kTimeout, "ICE consent expired");
    }
  }
  if (now >= next_select_) {
    next_select_ = now + kSelectInterval;
    SelectSpeakers(now);
  }
  if (now >= next_rtcp_) {
    next_rtcp_ = now + kRtcpInterval;
    for (auto& p : participants_) p->SendRtcpReports(now, scratch_);
  }
  if (now >= next_stats_) {
    next_stats_ = now + kStatsInterval;
    for (auto& p : participants_) {
      if (p->IsConnected()) p->Emit(p->MakeStats());
    }
  }
}

}  // namespace chorus::sfu
