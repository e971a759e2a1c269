#include "PeerMedia.hpp"

#include <openssl/rand.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>

#include "AudioMath.hpp"
#include "BenchPayload.hpp"
#include "rtc/Certificate.hpp"
#include "rtc/IceCredentials.hpp"
#include "rtc/RtcpCompound.hpp"
#include "rtc/RtcpReport.hpp"
#include "rtc/RtcpWriter.hpp"
#include "rtc/RtpPacket.hpp"
#include "rtc/RtpWriter.hpp"
#include "rtc/SdpAnswer.hpp"
#include "rtc/SdpOfferBuilder.hpp"

namespace chorus::peer {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

template <typename T>
T RandomValue() {
  T value{};
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof(value)) != 1) value = T{1};
  return value;
}

std::int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

PeerMedia::PeerMedia(asio::io_context& io, std::shared_ptr<rtc::DtlsContext> dtls,
                     PeerMediaOptions options)
    : io_(io),
      dtls_context_(std::move(dtls)),
      options_(std::move(options)),
      socket_(io),
      ice_timer_(io),
      dtls_timer_(io),
      frame_timer_(io),
      rtcp_timer_(io),
      connect_deadline_(io) {}

PeerMedia::~PeerMedia() {
  Close();
  if (encoder_ != nullptr) opus_encoder_destroy(encoder_);
}

std::optional<std::string> PeerMedia::CreateOffer(std::string* error) {
  auto credentials = rtc::IceCredentials::Generate();
  if (!credentials) {
    *error = "cannot generate ICE credentials";
    return std::nullopt;
  }
  ice_ufrag_ = credentials->ufrag;
  ice_pwd_ = credentials->pwd;
  send_ssrc_ = RandomValue<std::uint32_t>() | 1u;  // never 0
  sequence_ = RandomValue<std::uint16_t>();
  timestamp_ = RandomValue<std::uint32_t>();

  rtc::SdpOfferOptions offer;
  offer.ice_ufrag = ice_ufrag_;
  offer.ice_pwd = ice_pwd_;
  offer.fingerprint = "sha-256 " + dtls_context_->FingerprintSha256();
  offer.send = options_.source != nullptr;
  offer.send_ssrc = send_ssrc_;
  offer.cname = options_.cname;
  offer.receive_sections = options_.receive_slots;
  offer.opus_payload_type = opus_payload_type_;
  offer.audio_level_id = audio_level_id_;
  offer.mid_id = mid_id_;
  offer.session_id = RandomValue<std::uint32_t>();
  auto built = rtc::SdpOfferBuilder::Build(offer);
  if (!built) {
    *error = "offer: " + built.Error().message;
    return std::nullopt;
  }
  if (options_.source) {
    int status = OPUS_OK;
    encoder_ = opus_encoder_create(48'000, 1, OPUS_APPLICATION_AUDIO, &status);
    if (encoder_ == nullptr || status != OPUS_OK) {
      *error = std::string("opus_encoder_create: ") + opus_strerror(status);
      return std::nullopt;
    }
    opus_encoder_ctl(encoder_, OPUS_SET_BITRATE(kOpusBitrateBps));
    opus_encoder_ctl(encoder_, OPUS_SET_INBAND_FEC(1));
    opus_encoder_ctl(encoder_, OPUS_SET_DTX(1));
    opus_encoder_ctl(encoder_, OPUS_SET_COMPLEXITY(5));
  }
  return built.Value();
}

bool PeerMedia::ApplyAnswer(std::string_view text, std::string* error) {
  auto parsed = rtc::SdpAnswer::Parse(text);
  if (!parsed) {
    *error = "answer: " + std::string(rtc::SdpErrorCodeName(parsed.Error().code)) + ": " +
             parsed.Error().message;
    return false;
  }
  const rtc::SdpAnswer& answer = parsed.Value();
  if (answer.Setup() != rtc::SdpSetup::kPassive) {
    *error = "answer: the server must answer a=setup:passive (we are the DTLS client)";
    return false;
  }
  std::string slot_error;
  for (const auto& slot : answer.Slots()) {
    auto receiver = std::make_unique<SlotReceiver>(slots_.size(), slot.mid, slot.ssrc);
    const std::string path =
        options_.record_prefix.empty()
            ? std::string()
            : options_.record_prefix + "-slot" + std::to_string(slots_.size()) + ".wav";
    if (!receiver->Init(path, !options_.bench, &slot_error)) {
      *error = slot_error;
      return false;
    }
    slots_.push_back(std::move(receiver));
  }

  const auto& candidate = answer.Candidate();
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(candidate.address, ec);
  if (ec) {
    *error = "answer: candidate address " + candidate.address + " is not numeric";
    return false;
  }
  server_ = asio::ip::udp::endpoint(address, candidate.port);
  socket_.open(server_.protocol(), ec);
  if (!ec) socket_.bind(asio::ip::udp::endpoint(server_.protocol(), 0), ec);
  if (!ec) socket_.connect(server_, ec);  // only the server's datagrams reach us
  if (ec) {
    *error = "udp socket toward " + ServerAddress() + ": " + ec.message();
    return false;
  }

  ice_ = std::make_unique<rtc::IceClient>(ice_ufrag_, ice_pwd_, answer.IceUfrag(), answer.IcePwd(),
                                          RandomValue<std::uint64_t>());
  rtc::DtlsTransportOptions dtls_options;
  dtls_options.srtp_profiles = options_.srtp_profiles;
  rtc::DtlsTransport::Listener& listener = *this;  // private base: convert here
  dtls_ = std::make_unique<rtc::DtlsTransport>(*dtls_context_, rtc::DtlsTransport::Role::kClient,
                                               listener, dtls_options);
  const auto& fingerprint = answer.Fingerprint();
  if (!dtls_->SetRemoteFingerprint(fingerprint.algorithm,
                                   rtc::Certificate::FormatFingerprint(fingerprint.digest))) {
    *error = "answer: unusable fingerprint algorithm " + fingerprint.algorithm;
    return false;
  }

  SetState(State::kIceChecking);
  StartReceive();
  SendIceCheck();
  connect_deadline_.expires_after(options_.connect_timeout);
  connect_deadline_.async_wait([this](boost::system::error_code wait_error) {
    if (wait_error || state_ == State::kConnected || state_ == State::kClosed ||
        state_ == State::kFailed) {
      return;
    }
    Fail(state_ == State::kIceChecking
             ? "ICE: no answer to connectivity checks from " + ServerAddress()
             : "DTLS: handshake did not finish in time");
  });
  return true;
}

void PeerMedia::Close() {
  if (state_ == State::kClosed) return;
  if (dtls_ && state_ == State::kConnected) dtls_->Close();
  for (auto& slot : slots_) slot->Close();
  ice_timer_.cancel();
  dtls_timer_.cancel();
  frame_timer_.cancel();
  rtcp_timer_.cancel();
  connect_deadline_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
  state_ = State::kClosed;
}

std::string PeerMedia::SrtpProfileName() const {
  return profile_ ? std::string(rtc::SrtpProfileName(*profile_)) : std::string();
}

std::string PeerMedia::ServerAddress() const {
  return server_.address().to_string() + ":" + std::to_string(server_.port());
}

void PeerMedia::SetState(State state, const std::string& reason) {
  state_ = state;
  if (on_state_ && (state == State::kConnected || state == State::kFailed)) {
    on_state_(state, reason);
  }
}

void PeerMedia::Fail(const std::string& reason) {
  if (state_ == State::kFailed || state_ == State::kClosed) return;
  failure_reason_ = reason;
  ice_timer_.cancel();
  dtls_timer_.cancel();
  frame_timer_.cancel();
  rtcp_timer_.cancel();
  connect_deadline_.cancel();
  SetState(State::kFailed, reason);
}

void PeerMedia::Send(std::span<const std::uint8_t> datagram) {
  if (!socket_.is_open()) return;
  boost::system::error_code ignored;  // UDP: a lost datagram is the network's business
  socket_.send(asio::buffer(datagram.data(), datagram.size()), 0, ignored);
}

void PeerMedia::StartReceive() {
  socket_.async_receive(asio::buffer(rx_.data(), kMaxDatagramBytes),
                        [this](boost::system::error_code ec, std::size_t bytes) {
                          if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
                          // ICMP errors on a connected UDP socket (e.g. connection refused
                          // while the server is not up) are not fatal: keep listening.
                          if (!ec) OnDatagram(bytes);
                          if (state_ != State::kClosed) StartReceive();
                        });
}

void PeerMedia::OnDatagram(std::size_t bytes) {
  if (bytes == 0) return;
  const std::span<const std::uint8_t> data(rx_.data(), bytes);
  const std::uint8_t first = rx_[0];
  // RFC 7983 §7 demultiplexing by the first byte.
  if (first <= 3) {
    if (!ice_) return;
    const bool was_connected = ice_->IsConnected();
    const auto response = ice_->ProcessResponse(data);
    if (!response.matched) {
      ++counters_.malformed;
      return;
    }
    if (response.success) {
      ++counters_.stun_successes;
    } else {
      ++counters_.stun_errors;
    }
    if (!was_connected && ice_->IsConnected() && state_ == State::kIceChecking) {
      SetState(State::kDtlsConnecting);
      ScheduleIceCheck(kConsentInterval);
      dtls_->Start();
      ArmDtlsTimer();
    }
  } else if (first >= 20 && first <= 63) {
    if (!dtls_) return;
    dtls_->Feed(data);
    ArmDtlsTimer();
  } else if (first >= 128 && first <= 191) {
    if (!srtp_in_) return;
    if (rtc::RtpPacket::IsRtcp(data)) {
      OnRtcp(bytes);
    } else {
      OnRtp(bytes);
    }
  } else {
    ++counters_.malformed;
  }
}

void PeerMedia::OnRtp(std::size_t bytes) {
  std::size_t length = bytes;
  if (!srtp_in_->UnprotectRtp(rx_.data(), &length)) {
    ++counters_.srtp_failures;
    return;
  }
  auto packet = rtc::RtpPacket::Parse(std::span<std::uint8_t>(rx_.data(), length));
  if (!packet) {
    ++counters_.malformed;
    return;
  }
  ++counters_.rtp_received;
  counters_.rtp_bytes_received += bytes;
  for (auto& slot : slots_) {
    if (slot->Ssrc() == packet->Ssrc()) {
      slot->OnPacket(*packet, static_cast<std::uint8_t>(audio_level_id_), Clock::now(),
                     NowUnixMs());
      return;
    }
  }
  ++counters_.unknown_ssrc;
}

void PeerMedia::OnRtcp(std::size_t bytes) {
  std::size_t length = bytes;
  if (!srtp_in_->UnprotectRtcp(rx_.data(), &length)) {
    ++counters_.srtp_failures;
    return;
  }
  ++counters_.rtcp_received;
  rtc::RtcpCompound compound(std::span<const std::uint8_t>(rx_.data(), length));
  while (auto view = compound.Next()) {
    if (view->type != static_cast<std::uint8_t>(rtc::RtcpType::kSenderReport)) continue;
    auto report = rtc::RtcpReport::Parse(*view);
    if (!report) continue;
    auto info = report->GetSenderInfo();
    if (!info) continue;
    ++counters_.sender_reports_received;
    for (auto& slot : slots_) {
      if (slot->Ssrc() == report->SenderSsrc())
        slot->OnSenderReport(info->ntp_timestamp, Clock::now());
    }
  }
}

void PeerMedia::SendIceCheck() {
  std::array<std::uint8_t, 512> out{};
  const std::size_t n = ice_->WriteBindingRequest(out, /*nominate=*/true);
  if (n > 0) {
    ++counters_.stun_requests_sent;
    Send(std::span<const std::uint8_t>(out.data(), n));
  }
  // Checks every 50 ms until the first success (RFC 8445 §14 pacing), then consent
  // freshness checks (RFC 7675) so the server keeps us.
  ScheduleIceCheck(ice_->IsConnected() ? kConsentInterval : kIceCheckInterval);
}

void PeerMedia::ScheduleIceCheck(std::chrono::milliseconds delay) {
  ice_timer_.expires_after(delay);
  ice_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || state_ == State::kClosed || state_ == State::kFailed) return;
    SendIceCheck();
  });
}

void PeerMedia::ArmDtlsTimer() {
  if (!dtls_) return;
  const auto timeout = dtls_->NextTimeout();
  if (!timeout) {
    dtls_timer_.cancel();
    return;
  }
  dtls_timer_.expires_after(*timeout);
  dtls_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || state_ == State::kClosed || state_ == State::kFailed) return;
    dtls_->HandleTimeout();
    ArmDtlsTimer();
  });
}

void PeerMedia::OnDtlsSendDatagram(std::span<const std::uint8_t> datagram) {
  Send(datagram);
}

void PeerMedia::OnDtlsConnected(const rtc::SrtpKeyMaterial& keys) {
  srtp_out_ = rtc::SrtpSession::Create(keys.profile, rtc::SrtpSession::Direction::kOutbound,
                                       keys.local_key_salt);
  srtp_in_ = rtc::SrtpSession::Create(keys.profile, rtc::SrtpSession::Direction::kInbound,
                                      keys.remote_key_salt);
  if (!srtp_out_ || !srtp_in_) {
    // Posted: the listener contract forbids re-entering the transport from its callback.
    asio::post(io_, [this] { Fail("SRTP: libsrtp2 refused the exported keys"); });
    return;
  }
  profile_ = keys.profile;
  connect_deadline_.cancel();
  SetState(State::kConnected);
  if (options_.source) {
    next_frame_ = Clock::now();
    ScheduleFrame();
  }
  ScheduleRtcp();
}

void PeerMedia::OnDtlsFailed(std::string_view reason) {
  const std::string text = "DTLS: " + std::string(reason);
  asio::post(io_, [this, text] { Fail(text); });
}

void PeerMedia::ScheduleFrame() {
  next_frame_ += kFrameInterval;
  const auto now = Clock::now();
  if (next_frame_ + 10 * kFrameInterval < now) next_frame_ = now;  // stalled: do not burst
  frame_timer_.expires_at(next_frame_);
  frame_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || state_ != State::kConnected) return;
    SendFrame();
    ScheduleFrame();
  });
}

void PeerMedia::SendFrame() {
  std::array<std::int16_t, AudioSource::kFrameSamples> pcm{};
  options_.source->NextFrame(pcm);
  const std::uint8_t level = AudioLevelDbov(pcm);
  std::array<std::uint8_t, 1'276> payload{};  // RFC 6716 §3.4 maximum frame
  const int encoded =
      options_.bench ? static_cast<int>(WriteBenchPayload(Clock::now().time_since_epoch(), payload))
                     : opus_encode(encoder_, pcm.data(), static_cast<int>(pcm.size()),
                                   payload.data(), static_cast<opus_int32>(payload.size()));
  const std::uint32_t timestamp = timestamp_;
  timestamp_ += AudioSource::kFrameRtpTicks;
  if (encoded < 0) return;
  // libopus: a packet of 2 bytes or less need not be sent (DTX); send one every 400 ms as
  // browsers do so the server still sees the stream.
  if (encoded <= 2 && ++frames_since_sent_ < 20) {
    ++counters_.dtx_frames_skipped;
    marker_next_ = true;
    return;
  }
  frames_since_sent_ = 0;

  // RFC 6464 §3: V flag in the top bit, level in -dBov below it.
  const std::uint8_t level_byte =
      static_cast<std::uint8_t>((level < kVoiceLevelDbov ? 0x80 : 0x00) | level);
  const std::array<rtc::RtpExtensionElement, 2> extensions{
      rtc::RtpExtensionElement{static_cast<std::uint8_t>(audio_level_id_),
                               std::span<const std::uint8_t>(&level_byte, 1)},
      rtc::RtpExtensionElement{
          static_cast<std::uint8_t>(mid_id_),
          std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(send_mid_.data()),
                                        send_mid_.size())}};
  rtc::RtpHeaderFields header;
  header.payload_type = opus_payload_type_;
  header.marker = marker_next_;  // RFC 3551 §4.1: first packet of a talkspurt
  header.sequence = sequence_++;
  header.timestamp = timestamp;
  header.ssrc = send_ssrc_;
  marker_next_ = false;

  std::array<std::uint8_t, kMaxDatagramBytes + rtc::SrtpSession::kMaxRtpTrailerBytes> out{};
  std::size_t length = rtc::WriteRtp(
      header, {}, extensions,
      std::span<const std::uint8_t>(payload.data(), static_cast<std::size_t>(encoded)),
      std::span<std::uint8_t>(out.data(), kMaxDatagramBytes));
  if (length == 0 || !srtp_out_->ProtectRtp(out.data(), &length, out.size())) return;
  ++counters_.rtp_sent;
  counters_.rtp_bytes_sent += length;
  Send(std::span<const std::uint8_t>(out.data(), length));
}

void PeerMedia::ScheduleRtcp() {
  rtcp_timer_.expires_after(kRtcpInterval);
  rtcp_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || state_ != State::kConnected) return;
    SendRtcp();
    ScheduleRtcp();
  });
}

void PeerMedia::SendRtcp() {
  std::vector<rtc::ReportBlock> blocks;
  const auto now = Clock::now();
  for (auto& slot : slots_) {
    if (slot->Stats().HasPackets() && blocks.size() < rtc::RtcpReport::kMaxReportBlocks) {
      blocks.push_back(slot->Stats().MakeReportBlock(now));
    }
  }
  std::array<std::uint8_t, kMaxDatagramBytes + rtc::SrtpSession::kMaxRtcpTrailerBytes> out{};
  const std::span<std::uint8_t> room(out.data(), kMaxDatagramBytes);
  std::size_t length = 0;
  if (options_.source) {
    length =
        rtc::WriteSenderReport(send_ssrc_, std::chrono::system_clock::now(), timestamp_,
                               static_cast<std::uint32_t>(counters_.rtp_sent),
                               static_cast<std::uint32_t>(counters_.rtp_bytes_sent), blocks, room);
  } else {
    length = rtc::WriteReceiverReport(send_ssrc_, blocks, room);
  }
  if (length == 0) return;
  length += rtc::WriteSdesCname(send_ssrc_, options_.cname, room.subspan(length));
  if (!srtp_out_->ProtectRtcp(out.data(), &length, out.size())) return;
  ++counters_.rtcp_sent;
  Send(std::span<const std::uint8_t>(out.data(), length));
}

}  // namespace chorus::peer
