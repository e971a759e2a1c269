// The test peer's media transport in the client role, like a browser's RTCPeerConnection toward
// Chorus: builds the offer (one send section + K recvonly slots), applies the answer, runs ICE as
// the controlling agent (binding requests with USE-CANDIDATE to the server's candidate, then
// consent checks), the DTLS client handshake, SRTP, and 20 ms Opus frames with the RFC 6464
// audio level and sdes:mid extensions; receives the K slots into SlotReceivers; sends RTCP
// SR/RR every second.
// Thread affinity: everything runs on one io_context thread; destroy after that io_context has
// stopped running (handlers refer to this object).
#pragma once

#include <opus/opus.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "AudioSource.hpp"
#include "SlotReceiver.hpp"
#include "rtc/DtlsContext.hpp"
#include "rtc/DtlsTransport.hpp"
#include "rtc/IceClient.hpp"
#include "rtc/SrtpSession.hpp"

namespace chorus::peer {

struct PeerMediaOptions {
  std::size_t receive_slots = 4;        // K recvonly sections in the offer
  std::unique_ptr<AudioSource> source;  // nullptr: listen-only offer (no send section)
  std::string srtp_profiles;            // OpenSSL syntax; "" = DtlsContext::kSrtpProfiles
  std::string record_prefix;            // "PREFIX" records PREFIX-slotN.wav; "" = none
  std::chrono::milliseconds connect_timeout{10'000};  // ICE + DTLS must finish within this
  std::string cname = "chorus-peer";
  // Benchmark mode: send BenchPayload (send time) instead of Opus, and count received packets
  // and delays without decoding or analyzing them.
  bool bench = false;
};

// Counters of the whole transport.
struct PeerMediaCounters {
  std::uint64_t rtp_sent = 0;
  std::uint64_t rtp_bytes_sent = 0;  // SRTP bytes on the wire
  std::uint64_t rtcp_sent = 0;
  std::uint64_t rtp_received = 0;
  std::uint64_t rtp_bytes_received = 0;
  std::uint64_t rtcp_received = 0;
  std::uint64_t sender_reports_received = 0;
  std::uint64_t unknown_ssrc = 0;
  std::uint64_t srtp_failures = 0;
  std::uint64_t malformed = 0;
  std::uint64_t stun_requests_sent = 0;
  std::uint64_t stun_successes = 0;
  std::uint64_t stun_errors = 0;
  std::uint64_t dtx_frames_skipped = 0;
};

class PeerMedia : private rtc::DtlsTransport::Listener {
 public:
  enum class State { kNew, kIceChecking, kDtlsConnecting, kConnected, kFailed, kClosed };
  // Called on kConnected and kFailed (with a reason).
  using StateCallback = std::function<void(State state, const std::string& reason)>;

  static constexpr std::chrono::milliseconds kFrameInterval{20};
  static constexpr std::chrono::milliseconds kIceCheckInterval{50};
  static constexpr std::chrono::milliseconds kConsentInterval{2'000};
  static constexpr std::chrono::milliseconds kRtcpInterval{1'000};
  static constexpr std::size_t kMaxDatagramBytes = 1'500;
  static constexpr std::uint8_t kVoiceLevelDbov = 50;  // V flag below this level (RFC 6464 §3)
  static constexpr int kOpusBitrateBps = 32'000;

  PeerMedia(boost::asio::io_context& io, std::shared_ptr<rtc::DtlsContext> dtls,
            PeerMediaOptions options);
  ~PeerMedia() override;
  PeerMedia(const PeerMedia&) = delete;
  PeerMedia& operator=(const PeerMedia&) = delete;

  // Generates ICE credentials and the send SSRC and returns the SDP offer; nullopt with *error.
  std::optional<std::string> CreateOffer(std::string* error);
  // Applies the server's SDP answer (must answer setup:passive): slots, credentials,
  // fingerprint, candidate; opens a UDP socket connected to the candidate and starts ICE.
  // Returns false with *error; afterwards the outcome arrives through the state callback.
  bool ApplyAnswer(std::string_view answer, std::string* error);
  void SetStateCallback(StateCallback callback) { on_state_ = std::move(callback); }
  // Sends DTLS close_notify if connected, stops timers and closes the socket. Idempotent.
  void Close();

  State GetState() const { return state_; }
  const std::string& FailureReason() const { return failure_reason_; }
  std::uint32_t SendSsrc() const { return send_ssrc_; }
  const PeerMediaCounters& Counters() const { return counters_; }
  const std::vector<std::unique_ptr<SlotReceiver>>& Slots() const { return slots_; }
  // The negotiated SRTP profile name, once connected.
  std::string SrtpProfileName() const;
  // The server's address as a string ("127.0.0.1:40000"), once the answer is applied.
  std::string ServerAddress() const;

 private:
  // DtlsTransport::Listener
  void OnDtlsSendDatagram(std::span<const std::uint8_t> datagram) override;
  void OnDtlsConnected(const rtc::SrtpKeyMaterial& keys) override;
  void OnDtlsFailed(std::string_view reason) override;

  void SetState(State state, const std::string& reason = {});
  void Fail(const std::string& reason);
  void Send(std::span<const std::uint8_t> datagram);
  void StartReceive();
  void OnDatagram(std::size_t bytes);
  void OnRtp(std::size_t bytes);
  void OnRtcp(std::size_t bytes);
  void SendIceCheck();
  void ScheduleIceCheck(std::chrono::milliseconds delay);
  void ArmDtlsTimer();
  void ScheduleFrame();
  void SendFrame();
  void ScheduleRtcp();
  void SendRtcp();

  boost::asio::io_context& io_;
  std::shared_ptr<rtc::DtlsContext> dtls_context_;
  PeerMediaOptions options_;
  StateCallback on_state_;
  State state_ = State::kNew;
  std::string failure_reason_;

  std::string ice_ufrag_;
  std::string ice_pwd_;
  std::uint32_t send_ssrc_ = 0;
  std::uint16_t audio_level_id_ = 1;
  std::uint16_t mid_id_ = 4;
  std::uint8_t opus_payload_type_ = 111;
  std::string send_mid_ = "0";

  boost::asio::ip::udp::socket socket_;
  boost::asio::ip::udp::endpoint server_;
  std::array<std::uint8_t, kMaxDatagramBytes + rtc::SrtpSession::kMaxRtcpTrailerBytes> rx_{};
  boost::asio::steady_timer ice_timer_;
  boost::asio::steady_timer dtls_timer_;
  boost::asio::steady_timer frame_timer_;
  boost::asio::steady_timer rtcp_timer_;
  boost::asio::steady_timer connect_deadline_;

  std::unique_ptr<rtc::IceClient> ice_;
  std::unique_ptr<rtc::DtlsTransport> dtls_;
  std::unique_ptr<rtc::SrtpSession> srtp_out_;
  std::unique_ptr<rtc::SrtpSession> srtp_in_;
  std::optional<rtc::SrtpProfile> profile_;
  std::vector<std::unique_ptr<SlotReceiver>> slots_;

  OpusEncoder* encoder_ = nullptr;
  std::chrono::steady_clock::time_point next_frame_;
  std::uint16_t sequence_ = 0;
  std::uint32_t timestamp_ = 0;
  std::uint32_t frames_since_sent_ = 0;
  bool marker_next_ = true;
  PeerMediaCounters counters_;
};

}  // namespace chorus::peer
