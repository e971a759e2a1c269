// Test helpers for room tests: a fake browser side of one participant with real SRTP keys (no
// DTLS handshake: the keys are installed directly), real STUN checks, synthetic Opus packets.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "room/PacketOutput.hpp"
#include "room/Room.hpp"
#include "rtc/RtpPacket.hpp"
#include "rtc/RtpWriter.hpp"
#include "rtc/SrtpSession.hpp"
#include "rtc/StunPacket.hpp"
#include "rtc/StunWriter.hpp"

namespace chorus::sfu::test {

using Clock = std::chrono::steady_clock;

// Captures every datagram per destination port (functional tests).
class CapturingOutput : public PacketOutput {
 public:
  void SendDatagram(const rtc::TransportAddress& to,
                    std::span<const std::uint8_t> datagram) override {
    if (counting_only) {
      ++count;
      return;
    }
    sent[to.Port()].emplace_back(datagram.begin(), datagram.end());
  }
  bool counting_only = false;
  std::uint64_t count = 0;
  std::map<std::uint16_t, std::vector<std::vector<std::uint8_t>>> sent;
};

struct ReceivedRtp {
  std::uint32_t ssrc = 0, csrc = 0, ts = 0;
  std::uint16_t seq = 0;
  std::uint8_t pt = 0;
  bool marker = false;
  std::size_t csrc_count = 0;
  std::optional<rtc::AudioLevel> level;
};

// The browser side of one participant.
class FakePeer {
 public:
  static constexpr std::uint8_t kAudioLevelId = 1;
  static constexpr std::uint8_t kMidId = 3;

  FakePeer(std::int64_t user_id, std::uint16_t port, std::size_t slots, std::uint8_t pt = 111)
      : user_id_(user_id),
        port_(port),
        pt_(pt),
        ssrc_(0x1000u + static_cast<std::uint32_t>(user_id)) {
    address_ = rtc::TransportAddress::FromIpv4({127, 0, 0, 1}, port);
    options_.participant_id = "p" + std::to_string(user_id);
    options_.user_id = user_id;
    options_.username = "user" + std::to_string(user_id);
    options_.local_ufrag = "srv" + std::to_string(user_id);
    options_.local_pwd = "serverpasswordserverpw" + std::to_string(user_id);
    options_.remote_ufrag = "cli" + std::to_string(user_id);
    options_.fingerprint_algorithm = "sha-256";
    std::string hex;
    for (int i = 0; i < 32; ++i) hex += i == 0 ? "AB" : ":AB";
    options_.fingerprint_hex = hex;
    rtc::SdpUpstream up;
    up.params = {"0", pt, kAudioLevelId, kMidId};
    up.ssrcs = {ssrc_};
    options_.upstream = up;
    for (std::size_t i = 0; i < slots; ++i) {
      rtc::SdpSlot slot;
      slot.params = {std::to_string(i + 1), pt, kAudioLevelId, kMidId};
      slot.slot_index = i;
      slot.ssrc =
          0x5000u + static_cast<std::uint32_t>(user_id) * 16u + static_cast<std::uint32_t>(i);
      options_.slots.push_back(slot);
    }
    keys_.profile = rtc::SrtpProfile::kAeadAes128Gcm;
    keys_.local_key_salt.assign(28, static_cast<std::uint8_t>(0x10 + user_id));
    keys_.remote_key_salt.assign(28, static_cast<std::uint8_t>(0x60 + user_id));
    // The browser protects with the server's remote key and unprotects with its local key.
    send_ = rtc::SrtpSession::Create(keys_.profile, rtc::SrtpSession::Direction::kOutbound,
                                     keys_.remote_key_salt);
    receive_ = rtc::SrtpSession::Create(keys_.profile, rtc::SrtpSession::Direction::kInbound,
                                        keys_.local_key_salt);
  }

  // Joins `room`, answers ICE with USE-CANDIDATE and installs the SRTP keys.
  Participant& Join(Room& room, Clock::time_point now, std::vector<SfuEvent>* events = nullptr) {
    EventSink sink;
    if (events) sink = [events](const SfuEvent& e) { events->push_back(e); };
    Participant& p = room.Add(options_, sink, now);
    CheckIn(room, p, now);
    p.OnDtlsConnected(keys_);
    EXPECT_TRUE(p.IsConnected());
    return p;
  }

  // Adds the participant to `room` without any ICE check or keys yet.
  Participant& AddOnly(Room& room, Clock::time_point now) { return room.Add(options_, {}, now); }

  // Sends an ICE consent check (Binding request with USE-CANDIDATE) from this peer's address.
  void CheckIn(Room& room, Participant& p, Clock::time_point now) {
    CheckFrom(room, p, now, address_, true);
  }

  // Sends a valid ICE check from `from` (e.g. a TCP path), nominating it when `use_candidate`.
  void CheckFrom(Room& room, Participant& p, Clock::time_point now,
                 const rtc::TransportAddress& from, bool use_candidate) {
    std::array<std::uint8_t, 256> buffer{};
    std::array<std::uint8_t, rtc::stun::kTransactionIdBytes> id{};
    id[0] = static_cast<std::uint8_t>(++checks_);
    rtc::StunBindingRequestParams params;
    const std::string username = options_.local_ufrag + ":" + options_.remote_ufrag;
    params.username = username;
    params.password = options_.local_pwd;
    params.priority = 1;
    params.tie_breaker = 7;
    params.controlling = true;
    params.use_candidate = use_candidate;
    const auto n = rtc::StunWriter::WriteBindingRequest(buffer, id, params);
    ASSERT_GT(n, 0u);
    auto packet = rtc::StunPacket::Parse(std::span<const std::uint8_t>(buffer.data(), n));
    ASSERT_TRUE(packet);
    const auto result = room.OnStun(p, *packet, from, now);
    EXPECT_TRUE(result.valid);
  }

  // Builds and protects one Opus packet with audio level `level_dbov`; returns its length in
  // `buffer`.
  std::size_t MakePacket(std::uint8_t level_dbov, std::array<std::uint8_t, 1500>& buffer) {
    const std::uint8_t level_byte = static_cast<std::uint8_t>(0x80 | level_dbov);
    const std::array<rtc::RtpExtensionElement, 1> ext{{{kAudioLevelId, std::span(&level_byte, 1)}}};
    std::array<std::uint8_t, 40> payload{};
    payload.fill(static_cast<std::uint8_t>(user_id_));
    rtc::RtpHeaderFields header{pt_, false, seq_++, ts_, ssrc_};
    ts_ += 960;
    std::size_t n = rtc::WriteRtp(header, {}, ext, payload, buffer);
    EXPECT_GT(n, 0u);
    EXPECT_TRUE(send_->ProtectRtp(buffer.data(), &n, buffer.size()));
    return n;
  }

  // Sends one packet into the room.
  void Speak(Room& room, Participant& p, std::uint8_t level_dbov, Clock::time_point now) {
    std::array<std::uint8_t, 1500> buffer{};
    const std::size_t n = MakePacket(level_dbov, buffer);
    room.OnDatagram(p, std::span(buffer.data(), n), now);
  }

  // Unprotects and parses everything `output` sent to this peer, then clears it.
  std::vector<ReceivedRtp> Drain(CapturingOutput& output) {
    std::vector<ReceivedRtp> out;
    for (auto& datagram : output.sent[port_]) {
      if (!rtc::RtpPacket::IsRtp(datagram)) continue;  // RTCP, STUN responses
      std::size_t n = datagram.size();
      if (!receive_->UnprotectRtp(datagram.data(), &n)) {
        ADD_FAILURE() << "SRTP unprotect failed";
        continue;
      }
      auto packet = rtc::RtpPacket::Parse(std::span(datagram.data(), n));
      if (!packet) continue;
      ReceivedRtp r{packet->Ssrc(),        packet->CsrcCount() ? packet->Csrc(0) : 0,
                    packet->Timestamp(),   packet->Sequence(),
                    packet->PayloadType(), packet->Marker(),
                    packet->CsrcCount(),   packet->ReadAudioLevel(kAudioLevelId)};
      out.push_back(r);
    }
    output.sent[port_].clear();
    return out;
  }

  // Every receive slot of this peer starts at `seq` (instead of a random number in [0, 0x7FFF]).
  void ForceInitialSlotSequence(std::uint16_t seq) { options_.initial_slot_sequence = seq; }

  std::uint32_t Ssrc() const { return ssrc_; }
  std::int64_t UserId() const { return user_id_; }
  const ParticipantOptions& Options() const { return options_; }
  std::uint32_t SlotSsrc(std::size_t i) const { return options_.slots[i].ssrc; }

 private:
  std::int64_t user_id_;
  std::uint16_t port_;
  std::uint8_t pt_;
  std::uint32_t ssrc_;
  rtc::TransportAddress address_;
  ParticipantOptions options_;
  rtc::SrtpKeyMaterial keys_;
  std::unique_ptr<rtc::SrtpSession> send_, receive_;
  std::uint16_t seq_ = 100;
  std::uint32_t ts_ = 5000;
  int checks_ = 0;
};

}  // namespace chorus::sfu::test
