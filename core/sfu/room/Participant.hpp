// One participant of a room on the server side: its ICE-lite responder, DTLS server, SRTP
// sessions, upstream (mic) stream with its speaker detector and receive statistics, and its K
// receive slots (SSRC + SlotRewriter each). I/O-free: datagrams go out through PacketOutput.
// Thread affinity: the room's media worker only. No allocation on the packet path.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "room/PacketOutput.hpp"
#include "room/RoomEvents.hpp"
#include "room/SlotRewriter.hpp"
#include "room/SpeakerDetector.hpp"
#include "rtc/DtlsTransport.hpp"
#include "rtc/IceServer.hpp"
#include "rtc/RtpPacket.hpp"
#include "rtc/RtpReceiveStats.hpp"
#include "rtc/SdpAnswerBuilder.hpp"
#include "rtc/SrtpSession.hpp"

namespace chorus::sfu {

struct ParticipantOptions {
  std::string participant_id;
  std::int64_t user_id = 0;
  std::string username;
  bool can_publish = true;
  std::string local_ufrag, local_pwd;  // ours, from the answer
  std::string remote_ufrag;            // the browser's, from the offer
  std::string fingerprint_algorithm, fingerprint_hex;
  std::optional<rtc::SdpUpstream> upstream;  // nullopt: listen-only
  std::vector<rtc::SdpSlot> slots;           // receive slots in index order
  // Tests only: every slot starts at this sequence number instead of a random one.
  std::optional<std::uint16_t> initial_slot_sequence;
};

class Participant : public rtc::DtlsTransport::Listener {
 public:
  using Clock = std::chrono::steady_clock;
  // Room scratch buffers must hold an MTU-sized packet plus the SRTP trailer.
  static constexpr std::size_t kScratchBytes = 1500 + rtc::SrtpSession::kMaxRtcpTrailerBytes;

  // One receive slot towards this participant.
  struct Slot {
    std::uint32_t ssrc = 0;
    std::array<std::uint8_t, 16> mid{};
    std::size_t mid_length = 0;
    std::uint8_t payload_type = 111;
    std::uint8_t audio_level_id = 0;  // 0: not negotiated
    std::uint8_t mid_id = 0;
    SlotRewriter rewriter{0, 0};
    const Participant* speaker = nullptr;  // who the slot carries now
    std::uint32_t packets_sent = 0, octets_sent = 0;
  };

  Participant(ParticipantOptions options, const rtc::DtlsContext& dtls, PacketOutput& output,
              EventSink sink, Clock::time_point now);
  ~Participant() override;

  // Answers an ICE check (RFC 8445 §7.3); the response goes to `from`. A valid check makes
  // `from` the send address until a nomination picks one (a TCP path never replaces a UDP one
  // before that).
  rtc::IceCheckResult HandleStun(const rtc::StunPacket& packet, const rtc::TransportAddress& from,
                                 Clock::time_point now);
  // Feeds a DTLS datagram (RFC 7983 first byte 20..63) to the DTLS server.
  void HandleDtls(std::span<const std::uint8_t> datagram);
  // Unprotects an SRTP packet in place and returns it when it is this participant's upstream
  // audio (stats and speaker detector updated; `level` set from RFC 6464). nullopt otherwise,
  // with `*srtp_failed` telling an authentication/replay failure from other refusals.
  std::optional<rtc::RtpPacket> ReceiveRtp(std::span<std::uint8_t> data, Clock::time_point now,
                                           rtc::AudioLevel* level, bool* srtp_failed);
  // Unprotects an SRTCP packet in place and reads the browser's SR/RR (RTT, downstream loss).
  // Returns false when unprotecting failed.
  bool ReceiveRtcp(std::span<std::uint8_t> data, Clock::time_point now);

  // Writes `in` into slot `slot_index` (rewritten seq/ts/SSRC, speaker SSRC as CSRC, this
  // participant's payload type and extension ids), protects it and sends it. `scratch` holds
  // kScratchBytes. Returns true when a packet went out.
  bool SendForwarded(std::size_t slot_index, const rtc::RtpPacket& in, std::uint32_t speaker_ssrc,
                     const rtc::AudioLevel& level, Clock::time_point now,
                     std::span<std::uint8_t> scratch);
  // Sends a compound RTCP packet: SR per active slot, a report block on the upstream
  // (RFC 3550 §6.4), SDES CNAME. No-op before DTLS-SRTP keys.
  void SendRtcpReports(Clock::time_point now, std::span<std::uint8_t> scratch);

  // Drives DTLS retransmission; call every few milliseconds.
  void OnTimer();

  // This participant's stats as the /rtc "stats" message shows them.
  StatsEvent MakeStats();
  // Delivers an event to the participant's signaling connection.
  void Emit(const SfuEvent& event) const;
  MemberInfo Member() const;

  // rtc::DtlsTransport::Listener
  void OnDtlsSendDatagram(std::span<const std::uint8_t> datagram) override;
  void OnDtlsConnected(const rtc::SrtpKeyMaterial& keys) override;
  void OnDtlsFailed(std::string_view reason) override;

  const std::string& Id() const { return options_.participant_id; }
  std::int64_t UserId() const { return options_.user_id; }
  const std::string& Username() const { return options_.username; }
  const std::string& LocalUfrag() const { return options_.local_ufrag; }
  bool IsPublisher() const { return options_.can_publish && options_.upstream.has_value(); }
  bool IsConnected() const { return srtp_out_ != nullptr; }
  bool DtlsFailed() const { return dtls_failed_; }
  bool ConsentExpired(Clock::time_point now, Clock::duration timeout) const {
    return ice_.IsTimedOut(now, timeout);
  }
  const rtc::TransportAddress& SendAddress() const { return send_address_; }
  std::uint32_t UpstreamSsrc() const { return upstream_ssrc_; }

  SpeakerDetector& Detector() { return detector_; }
  const SpeakerDetector& Detector() const { return detector_; }
  bool Muted() const { return self_muted_ || host_muted_; }
  // Speaking as members see it: the detector says so and the participant is not muted.
  bool Speaking() const { return detector_.Speaking() && !Muted(); }
  bool SelfMuted() const { return self_muted_; }
  bool HostMuted() const { return host_muted_; }
  void SetSelfMuted(bool muted) { self_muted_ = muted; }
  void SetHostMuted(bool muted) { host_muted_ = muted; }
  // Pinned by the room's host: while speaking, forwarded ahead of louder unpinned speakers.
  bool Pinned() const { return pinned_; }
  void SetPinned(bool pinned) { pinned_ = pinned; }

  std::vector<Slot>& Slots() { return slots_; }
  const std::vector<Slot>& Slots() const { return slots_; }

 private:
  ParticipantOptions options_;
  PacketOutput& output_;
  EventSink sink_;
  rtc::IceServer ice_;
  rtc::DtlsTransport dtls_;
  std::unique_ptr<rtc::SrtpSession> srtp_in_, srtp_out_;
  bool dtls_failed_ = false;
  rtc::TransportAddress send_address_;
  bool nominated_ = false;

  std::uint32_t upstream_ssrc_ = 0;  // 0 until known (from the offer or the first packet)
  std::uint8_t upstream_pt_ = 0;
  std::uint8_t audio_level_id_ = 0;
  std::optional<rtc::RtpReceiveStats> receive_stats_;
  SpeakerDetector detector_;
  bool self_muted_ = false, host_muted_ = false;
  bool pinned_ = false;

  std::vector<Slot> slots_;
  std::uint32_t rtcp_ssrc_ = 0;  // sender SSRC of our RRs when no slot has sent yet

  std::uint64_t packets_in_ = 0, bytes_in_ = 0, packets_out_ = 0, bytes_out_ = 0;
  std::optional<double> rtt_ms_;
  double loss_down_ = 0.0;
  double loss_up_ = 0.0;
  std::int64_t last_expected_ = 0, last_lost_ = 0;  // for loss_up over each stats interval
};

}  // namespace chorus::sfu
