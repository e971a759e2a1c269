#include "room/Participant.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

#include "rtc/RtcpCompound.hpp"
#include "rtc/RtcpReport.hpp"
#include "rtc/RtcpTime.hpp"
#include "rtc/RtcpWriter.hpp"
#include "rtc/RtpWriter.hpp"

namespace chorus::sfu {
namespace {

template <typename T>
T RandomValue() {
  T value{};
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof(value)) != 1) value = T{};
  return value;
}

std::uint8_t ExtId(const std::optional<std::uint16_t>& id) {
  // One-byte header form only carries ids 1..14 (RFC 8285 §4.2); larger ids are not rewritten.
  return id && *id >= 1 && *id <= 14 ? static_cast<std::uint8_t>(*id) : 0;
}

}  // namespace

Participant::Participant(ParticipantOptions options, const rtc::DtlsContext& dtls,
                         PacketOutput& output, EventSink sink, Clock::time_point now)
    : options_(std::move(options)),
      output_(output),
      sink_(std::move(sink)),
      ice_(options_.local_ufrag, options_.local_pwd, options_.remote_ufrag, now),
      dtls_(dtls, rtc::DtlsTransport::Role::kServer, *this) {
  if (!dtls_.SetRemoteFingerprint(options_.fingerprint_algorithm, options_.fingerprint_hex)) {
    dtls_failed_ = true;
  }
  dtls_.Start();
  if (options_.upstream) {
    upstream_pt_ = options_.upstream->params.opus_payload_type;
    audio_level_id_ = ExtId(options_.upstream->params.audio_level_id);
    if (!options_.upstream->ssrcs.empty()) upstream_ssrc_ = options_.upstream->ssrcs.front();
  }
  slots_.reserve(options_.slots.size());
  for (const auto& sdp_slot : options_.slots) {
    Slot slot;
    slot.ssrc = sdp_slot.ssrc;
    slot.mid_length = std::min(sdp_slot.params.mid.size(), slot.mid.size());
    std::memcpy(slot.mid.data(), sdp_slot.params.mid.data(), slot.mid_length);
    slot.payload_type = sdp_slot.params.opus_payload_type;
    slot.audio_level_id = ExtId(sdp_slot.params.audio_level_id);
    slot.mid_id = ExtId(sdp_slot.params.mid_id);
    const std::uint16_t initial_seq =
        options_.initial_slot_sequence.value_or(SlotRewriter::RandomInitialSequence());
    slot.rewriter = SlotRewriter(initial_seq, RandomValue<std::uint32_t>());
    slots_.push_back(slot);
  }
  rtcp_ssrc_ = slots_.empty() ? (RandomValue<std::uint32_t>() | 1u) : slots_.front().ssrc;
}

Participant::~Participant() {
  dtls_.Close();
}

rtc::IceCheckResult Participant::HandleStun(const rtc::StunPacket& packet,
                                            const rtc::TransportAddress& from,
                                            Clock::time_point now) {
  std::array<std::uint8_t, 512> response{};
  const auto result = ice_.ProcessStun(packet, from, response, now);
  if (result.response_bytes > 0) {
    output_.SendDatagram(from, std::span(response.data(), result.response_bytes));
  }
  if (result.nominated) {
    nominated_ = true;
    send_address_ = from;
  } else if (result.valid && !nominated_) {
    // Until a nomination picks the path, a UDP path is kept over a TCP one (RFC 6544 §4.2: UDP
    // is preferred; the browser checks both when both candidates are offered).
    const bool keeps_udp = from.IsTcp() && send_address_.IsValid() && !send_address_.IsTcp();
    if (!keeps_udp) send_address_ = from;
  }
  return result;
}

void Participant::HandleDtls(std::span<const std::uint8_t> datagram) {
  dtls_.Feed(datagram);
}

std::optional<rtc::RtpPacket> Participant::ReceiveRtp(std::span<std::uint8_t> data,
                                                      Clock::time_point now, rtc::AudioLevel* level,
                                                      bool* srtp_failed) {
  *srtp_failed = false;
  if (!srtp_in_) return std::nullopt;
  std::size_t length = data.size();
  if (!srtp_in_->UnprotectRtp(data.data(), &length)) {
    *srtp_failed = true;
    return std::nullopt;
  }
  auto packet = rtc::RtpPacket::Parse(data.first(length));
  if (!packet || !IsPublisher()) return std::nullopt;
  if (upstream_ssrc_ == 0) upstream_ssrc_ = packet->Ssrc();
  if (packet->Ssrc() != upstream_ssrc_ || packet->PayloadType() != upstream_pt_) {
    return std::nullopt;
  }
  ++packets_in_;
  bytes_in_ += length;
  if (!receive_stats_) receive_stats_.emplace(upstream_ssrc_);
  receive_stats_->OnPacket(packet->Sequence(), packet->Timestamp(), now, length);
  const auto read = audio_level_id_ != 0 ? packet->ReadAudioLevel(audio_level_id_) : std::nullopt;
  *level = read.value_or(rtc::AudioLevel{});
  detector_.OnLevel(level->level_dbov, level->voice_activity, now);
  return packet;
}

bool Participant::ReceiveRtcp(std::span<std::uint8_t> data, Clock::time_point now) {
  if (!srtp_in_) return false;
  std::size_t length = data.size();
  if (!srtp_in_->UnprotectRtcp(data.data(), &length)) return false;
  const auto arrival_ntp = rtc::CompactNtp(rtc::ToNtpTime(std::chrono::system_clock::now()));
  rtc::RtcpCompound compound(data.first(length));
  double loss_sum = 0.0;
  int loss_blocks = 0;
  while (auto view = compound.Next()) {
    auto report = rtc::RtcpReport::Parse(*view);
    if (!report) continue;
    if (auto info = report->GetSenderInfo();
        info && receive_stats_ && report->SenderSsrc() == upstream_ssrc_) {
      receive_stats_->OnSenderReport(info->ntp_timestamp, now);
    }
    for (std::size_t i = 0; i < report->ReportCount(); ++i) {
      const auto block = report->GetReportBlock(i);
      const bool ours = std::any_of(slots_.begin(), slots_.end(),
                                    [&](const Slot& s) { return s.ssrc == block.ssrc; });
      if (!ours) continue;
      loss_sum += block.fraction_lost / 256.0;
      ++loss_blocks;
      if (auto rtt = rtc::RoundTripTime(arrival_ntp, block.lsr, block.dlsr)) {
        rtt_ms_ = static_cast<double>(rtt->count()) / 1000.0;
      }
    }
  }
  if (loss_blocks > 0) loss_down_ = loss_sum / loss_blocks;
  return true;
}

bool Participant::SendForwarded(std::size_t slot_index, const rtc::RtpPacket& in,
                                std::uint32_t speaker_ssrc, const rtc::AudioLevel& level,
                                Clock::time_point now, std::span<std::uint8_t> scratch) {
  if (!srtp_out_ || !send_address_.IsValid() || slot_index >= slots_.size()) return false;
  Slot& slot = slots_[slot_index];
  const auto rewrite = slot.rewriter.Rewrite(speaker_ssrc, in.Sequence(), in.Timestamp(), now);
  if (rewrite.drop) return false;
  std::array<rtc::RtpExtensionElement, 2> elements{};
  std::size_t count = 0;
  const std::uint8_t level_byte =
      static_cast<std::uint8_t>((level.voice_activity ? 0x80 : 0x00) | (level.level_dbov & 0x7F));
  if (slot.audio_level_id != 0) {
    elements[count++] = {slot.audio_level_id, std::span(&level_byte, 1)};
  }
  if (slot.mid_id != 0 && slot.mid_length > 0) {
    elements[count++] = {slot.mid_id, std::span(slot.mid.data(), slot.mid_length)};
  }
  const std::size_t capacity = scratch.size();
  std::size_t length = rtc::WriteForwarded(
      in, scratch.first(capacity - rtc::SrtpSession::kMaxRtcpTrailerBytes), slot.ssrc, rewrite.seq,
      rewrite.ts, rewrite.marker || in.Marker(), speaker_ssrc, std::span(elements.data(), count));
  if (length == 0) return false;
  // The subscriber's own Opus payload type (negotiated per PeerConnection).
  scratch[1] = static_cast<std::uint8_t>((scratch[1] & 0x80) | (slot.payload_type & 0x7F));
  const std::size_t rtp_length = length;
  if (!srtp_out_->ProtectRtp(scratch.data(), &length, capacity)) return false;
  output_.SendDatagram(send_address_, scratch.first(length));
  ++slot.packets_sent;
  slot.octets_sent += static_cast<std::uint32_t>(in.Payload().size());
  (void)rtp_length;
  ++packets_out_;
  bytes_out_ += length;
  return true;
}

void Participant::SendRtcpReports(Clock::time_point now, std::span<std::uint8_t> scratch) {
  if (!srtp_out_ || !send_address_.IsValid()) return;
  const std::size_t capacity = scratch.size() - rtc::SrtpSession::kMaxRtcpTrailerBytes;
  std::array<rtc::ReportBlock, 1> blocks{};
  std::size_t block_count = 0;
  if (receive_stats_ && receive_stats_->HasPackets()) {
    blocks[0] = receive_stats_->MakeReportBlock(now);
    block_count = 1;
  }
  const auto wall = std::chrono::system_clock::now();
  std::size_t length = 0;
  std::uint32_t first_ssrc = 0;
  for (const auto& slot : slots_) {
    if (slot.packets_sent == 0) continue;
    const auto report_blocks =
        first_ssrc == 0 ? std::span(blocks.data(), block_count) : std::span<rtc::ReportBlock>();
    const std::size_t n = rtc::WriteSenderReport(slot.ssrc, wall, slot.rewriter.TimestampAt(now),
                                                 slot.packets_sent, slot.octets_sent, report_blocks,
                                                 scratch.subspan(length, capacity - length));
    if (n == 0) break;
    if (first_ssrc == 0) first_ssrc = slot.ssrc;
    length += n;
  }
  if (first_ssrc == 0) {
    if (block_count == 0) return;  // nothing sent, nothing received: nothing to report
    first_ssrc = rtcp_ssrc_;
    length = rtc::WriteReceiverReport(rtcp_ssrc_, std::span(blocks.data(), block_count),
                                      scratch.first(capacity));
    if (length == 0) return;
  }
  length +=
      rtc::WriteSdesCname(first_ssrc, "chorus-sfu", scratch.subspan(length, capacity - length));
  if (!srtp_out_->ProtectRtcp(scratch.data(), &length, scratch.size())) return;
  output_.SendDatagram(send_address_, scratch.first(length));
}

void Participant::OnTimer() {
  if (dtls_failed_) return;
  if (auto timeout = dtls_.NextTimeout(); timeout && timeout->count() <= 0) dtls_.HandleTimeout();
}

StatsEvent Participant::MakeStats() {
  StatsEvent stats;
  stats.rtt_ms = rtt_ms_;
  stats.loss_down = loss_down_;
  if (receive_stats_) {
    const auto expected = receive_stats_->Expected();
    const auto lost = receive_stats_->CumulativeLost();
    const auto interval_expected = expected - last_expected_;
    const auto interval_lost = lost - last_lost_;
    loss_up_ = interval_expected > 0 && interval_lost > 0
                   ? static_cast<double>(interval_lost) / static_cast<double>(interval_expected)
                   : 0.0;
    last_expected_ = expected;
    last_lost_ = lost;
    stats.jitter_ms = receive_stats_->Jitter() / 48.0;
  }
  stats.loss_up = loss_up_;
  stats.packets_in = packets_in_;
  stats.packets_out = packets_out_;
  stats.bytes_in = bytes_in_;
  stats.bytes_out = bytes_out_;
  return stats;
}

void Participant::Emit(const SfuEvent& event) const {
  if (!sink_) return;
  // A failing sink must not take the media worker down with it.
  try {
    sink_(event);
  } catch (const std::exception& e) {
    spdlog::error("[room] event sink failed participant={} error={}", options_.participant_id,
                  e.what());
  }
}

MemberInfo Participant::Member() const {
  MemberInfo member;
  member.user_id = options_.user_id;
  member.username = options_.username;
  member.muted = Muted();
  member.muted_by = host_muted_ ? MutedBy::kHost : self_muted_ ? MutedBy::kSelf : MutedBy::kNone;
  member.speaking = Speaking();
  member.pinned = pinned_;
  return member;
}

void Participant::OnDtlsSendDatagram(std::span<const std::uint8_t> datagram) {
  if (send_address_.IsValid()) output_.SendDatagram(send_address_, datagram);
}

void Participant::OnDtlsConnected(const rtc::SrtpKeyMaterial& keys) {
  srtp_in_ = rtc::SrtpSession::Create(keys.profile, rtc::SrtpSession::Direction::kInbound,
                                      keys.remote_key_salt);
  srtp_out_ = rtc::SrtpSession::Create(keys.profile, rtc::SrtpSession::Direction::kOutbound,
                                       keys.local_key_salt);
  if (!srtp_in_ || !srtp_out_) {
    srtp_in_.reset();
    srtp_out_.reset();
    dtls_failed_ = true;
    return;
  }
  spdlog::info("[dtls] connected participant={} user={} profile={}", options_.participant_id,
               options_.user_id, rtc::SrtpProfileName(keys.profile));
}

void Participant::OnDtlsFailed(std::string_view reason) {
  dtls_failed_ = true;
  spdlog::warn("[dtls] failed participant={} user={} reason={}", options_.participant_id,
               options_.user_id, reason);
}

}  // namespace chorus::sfu
