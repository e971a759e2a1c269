// PeerMedia (the C++ test peer's client-role transport) against a loopback server assembled in
// this file from the server-role primitives (IceServer, DtlsTransport kServer, SrtpSession,
// SdpOffer/SdpAnswerBuilder, WriteForwarded): the peer's tone comes back on slot 0 with the
// peer's SSRC as CSRC, exactly as the SFU forwards one speaker to another.
#include "PeerMedia.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <cmath>
#include <functional>

#include "rtc/DtlsContext.hpp"
#include "rtc/DtlsTransport.hpp"
#include "rtc/IceServer.hpp"
#include "rtc/RtpPacket.hpp"
#include "rtc/RtpWriter.hpp"
#include "rtc/SdpAnswerBuilder.hpp"
#include "rtc/SdpOffer.hpp"
#include "rtc/SrtpSession.hpp"
#include "rtc/StunPacket.hpp"

namespace chorus::peer {
namespace {
namespace asio = boost::asio;
using asio::ip::udp;

constexpr std::uint32_t kSlot0Ssrc = 0x5107'0000;
constexpr std::uint32_t kSlot1Ssrc = 0x5107'0001;

// Runs `io` until `done()` or `timeout`; returns done().
bool RunUntil(asio::io_context& io, const std::function<bool()>& done,
              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  return done();
}

// A one-participant "SFU" on loopback that echoes the participant's audio into its slot 0.
class LoopbackServer : public rtc::DtlsTransport::Listener {
 public:
  explicit LoopbackServer(asio::io_context& io, bool wrong_fingerprint = false)
      : socket_(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        context_(rtc::DtlsContext::Create()),
        other_context_(wrong_fingerprint ? rtc::DtlsContext::Create() : nullptr) {}

  // Answers `offer_text`; empty on error.
  std::string Answer(const std::string& offer_text) {
    auto offer = rtc::SdpOffer::Parse(offer_text);
    if (!offer) {
      ADD_FAILURE() << "offer refused: " << offer.Error().message << "\n" << offer_text;
      return {};
    }
    rtc::SdpAnswerOptions options;
    options.ice_ufrag = "srvufrag";
    options.ice_pwd = "serverpassword0123456789";
    const auto& fingerprint_of = other_context_ ? other_context_ : context_;
    options.fingerprint = "sha-256 " + fingerprint_of->FingerprintSha256();
    options.announce_ips = {"127.0.0.1"};
    options.announce_port = socket_.local_endpoint().port();
    options.slot_ssrcs = {kSlot0Ssrc, kSlot1Ssrc};
    options.cname = "chorus";
    auto answer = rtc::SdpAnswerBuilder::Build(offer.Value(), options);
    if (!answer) {
      ADD_FAILURE() << "answer not built: " << answer.Error().message;
      return {};
    }
    slot0_ = answer.Value().slots.at(0).params;
    upstream_ = answer.Value().upstream->params;
    ice_ = std::make_unique<rtc::IceServer>(options.ice_ufrag, options.ice_pwd,
                                            offer.Value().IceUfrag(), rtc::IceServer::Clock::now());
    dtls_ =
        std::make_unique<rtc::DtlsTransport>(*context_, rtc::DtlsTransport::Role::kServer, *this);
    const auto& fp = offer.Value().Fingerprint();
    dtls_->SetRemoteFingerprint(fp.algorithm, rtc::Certificate::FormatFingerprint(fp.digest));
    dtls_->Start();
    Receive();
    return answer.Value().sdp;
  }

  bool DtlsConnected() const { return srtp_in_ != nullptr; }
  std::uint64_t RtpFromPeer() const { return rtp_from_peer_; }
  std::uint64_t RtcpFromPeer() const { return rtcp_from_peer_; }
  std::optional<rtc::AudioLevel> LastLevel() const { return last_level_; }
  std::string LastMid() const { return last_mid_; }
  std::uint32_t PeerSsrc() const { return peer_ssrc_; }

 private:
  void OnDtlsSendDatagram(std::span<const std::uint8_t> d) override {
    socket_.send_to(asio::buffer(d.data(), d.size()), peer_);
  }
  void OnDtlsConnected(const rtc::SrtpKeyMaterial& keys) override {
    srtp_in_ = rtc::SrtpSession::Create(keys.profile, rtc::SrtpSession::Direction::kInbound,
                                        keys.remote_key_salt);
    srtp_out_ = rtc::SrtpSession::Create(keys.profile, rtc::SrtpSession::Direction::kOutbound,
                                         keys.local_key_salt);
  }
  void OnDtlsFailed(std::string_view) override {}

  void Receive() {
    socket_.async_receive_from(asio::buffer(rx_), from_, [this](auto ec, std::size_t n) {
      if (ec) return;
      Handle(n);
      Receive();
    });
  }

  void Handle(std::size_t n) {
    std::span<std::uint8_t> data(rx_.data(), n);
    if (rtc::StunPacket::IsStun(data)) {
      auto address = rtc::TransportAddress::FromSockaddr(from_.data(), from_.size());
      std::array<std::uint8_t, 512> out{};
      auto result = ice_->ProcessStun(data, *address, out, rtc::IceServer::Clock::now());
      if (result.nominated) peer_ = from_;
      if (result.response_bytes > 0) {
        socket_.send_to(asio::buffer(out.data(), result.response_bytes), from_);
      }
    } else if (rx_[0] >= 20 && rx_[0] <= 63) {
      dtls_->Feed(data);
    } else if (srtp_in_ && rtc::RtpPacket::IsRtcp(data)) {
      std::size_t len = n;
      if (srtp_in_->UnprotectRtcp(rx_.data(), &len)) ++rtcp_from_peer_;
    } else if (srtp_in_ && rtc::RtpPacket::IsRtp(data)) {
      std::size_t len = n;
      if (!srtp_in_->UnprotectRtp(rx_.data(), &len)) return;
      auto packet = rtc::RtpPacket::Parse(std::span<std::uint8_t>(rx_.data(), len));
      if (!packet) return;
      ++rtp_from_peer_;
      peer_ssrc_ = packet->Ssrc();
      last_level_ = packet->ReadAudioLevel(static_cast<std::uint8_t>(*upstream_.audio_level_id));
      auto mid = packet->GetExtension(static_cast<std::uint8_t>(*upstream_.mid_id));
      last_mid_.assign(mid.begin(), mid.end());
      Forward(*packet);
    }
  }

  // Echoes the participant's packet into slot 0, as the SFU forwards a speaker.
  void Forward(const rtc::RtpPacket& in) {
    const std::uint8_t level = in.ReadAudioLevel(*upstream_.audio_level_id)->level_dbov;
    const std::array<rtc::RtpExtensionElement, 2> ext{
        rtc::RtpExtensionElement{static_cast<std::uint8_t>(*slot0_.audio_level_id),
                                 std::span<const std::uint8_t>(&level, 1)},
        rtc::RtpExtensionElement{
            static_cast<std::uint8_t>(*slot0_.mid_id),
            std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(slot0_.mid.data()),
                                          slot0_.mid.size())}};
    std::array<std::uint8_t, 1600> out{};
    std::size_t len = rtc::WriteForwarded(in, std::span<std::uint8_t>(out.data(), 1400), kSlot0Ssrc,
                                          seq_++, in.Timestamp(), false, in.Ssrc(), ext);
    if (len == 0 || !srtp_out_->ProtectRtp(out.data(), &len, out.size())) return;
    socket_.send_to(asio::buffer(out.data(), len), peer_);
  }

  udp::socket socket_;
  std::shared_ptr<rtc::DtlsContext> context_;
  std::shared_ptr<rtc::DtlsContext> other_context_;
  std::unique_ptr<rtc::IceServer> ice_;
  std::unique_ptr<rtc::DtlsTransport> dtls_;
  std::unique_ptr<rtc::SrtpSession> srtp_in_;
  std::unique_ptr<rtc::SrtpSession> srtp_out_;
  rtc::SdpAudioParams slot0_;
  rtc::SdpAudioParams upstream_;
  std::array<std::uint8_t, 2048> rx_{};
  udp::endpoint from_;
  udp::endpoint peer_;
  std::uint16_t seq_ = 100;
  std::uint64_t rtp_from_peer_ = 0;
  std::uint64_t rtcp_from_peer_ = 0;
  std::optional<rtc::AudioLevel> last_level_;
  std::string last_mid_;
  std::uint32_t peer_ssrc_ = 0;
};

PeerMediaOptions ToneOptions(double hz, std::size_t slots) {
  PeerMediaOptions options;
  options.receive_slots = slots;
  options.source = AudioSource::Tone(hz, 0.5);
  return options;
}

TEST(PeerMediaTest, HearsItsOwnToneEchoedOnSlotZeroWithCsrc) {
  asio::io_context io;
  LoopbackServer server(io);
  PeerMedia peer(io, rtc::DtlsContext::Create(), ToneOptions(440, 2));
  std::string error;
  auto offer = peer.CreateOffer(&error);
  ASSERT_TRUE(offer) << error;
  const std::string answer = server.Answer(*offer);
  ASSERT_FALSE(answer.empty());
  ASSERT_TRUE(peer.ApplyAnswer(answer, &error)) << error;
  ASSERT_TRUE(RunUntil(
      io, [&] { return peer.GetState() == PeerMedia::State::kConnected; }, std::chrono::seconds(5)))
      << peer.FailureReason();
  ASSERT_EQ(peer.Slots().size(), 2u);
  const SlotReceiver& slot0 = *peer.Slots()[0];
  ASSERT_TRUE(RunUntil(
      io, [&] { return slot0.Analyzer().LoudWindows() >= 10 && server.RtcpFromPeer() > 0; },
      std::chrono::seconds(8)));

  // What the server saw: the tone's RFC 6464 level (0.5 peak sine = -9 dBov) with V set,
  // and the send section's mid.
  ASSERT_TRUE(server.LastLevel());
  EXPECT_NEAR(server.LastLevel()->level_dbov, 9, 1);
  EXPECT_TRUE(server.LastLevel()->voice_activity);
  EXPECT_EQ(server.LastMid(), "0");
  EXPECT_EQ(server.PeerSsrc(), peer.SendSsrc());

  // What the peer heard: 440 Hz on slot 0 only, the CSRC naming its own SSRC.
  EXPECT_EQ(slot0.Ssrc(), kSlot0Ssrc);
  EXPECT_GT(slot0.DecodedFrames(), 40u);
  EXPECT_EQ(slot0.DecodeErrors(), 0u);
  ASSERT_EQ(slot0.CsrcPackets().count(peer.SendSsrc()), 1u);
  EXPECT_EQ(slot0.CsrcPackets().at(peer.SendSsrc()), slot0.Packets());
  ASSERT_FALSE(slot0.Analyzer().Clusters().empty());
  const ToneCluster& loudest = slot0.Analyzer().Clusters().front();
  EXPECT_NEAR(loudest.hz, 440, 5);
  EXPECT_GE(loudest.windows, slot0.Analyzer().LoudWindows() - 1);
  EXPECT_EQ(peer.Slots()[1]->Packets(), 0u);
  EXPECT_EQ(peer.Counters().srtp_failures, 0u);
  EXPECT_EQ(peer.Counters().unknown_ssrc, 0u);
  EXPECT_FALSE(peer.SrtpProfileName().empty());
  peer.Close();
}

TEST(PeerMediaTest, BenchModeTimesForwardedPayloadsWithoutDecoding) {
  asio::io_context io;
  LoopbackServer server(io);
  PeerMediaOptions options = ToneOptions(440, 1);
  options.bench = true;
  PeerMedia peer(io, rtc::DtlsContext::Create(), std::move(options));
  std::string error;
  auto offer = peer.CreateOffer(&error);
  ASSERT_TRUE(offer) << error;
  ASSERT_TRUE(peer.ApplyAnswer(server.Answer(*offer), &error)) << error;
  ASSERT_TRUE(RunUntil(
      io, [&] { return peer.Slots().size() == 1 && peer.Slots()[0]->Packets() >= 20; },
      std::chrono::seconds(8)))
      << peer.FailureReason();
  const SlotReceiver& slot = *peer.Slots()[0];
  EXPECT_EQ(slot.DecodedFrames(), 0u);
  ASSERT_EQ(slot.LatencySamplesUs().size(), slot.Packets());
  for (std::int64_t us : slot.LatencySamplesUs()) {
    EXPECT_GE(us, 0);
    EXPECT_LT(us, 1'000'000);  // loopback within one process: far under a second
  }
  // The level extension still carries the tone's level, so speaker detection works in benches.
  ASSERT_TRUE(server.LastLevel());
  EXPECT_NEAR(server.LastLevel()->level_dbov, 9, 1);
}

TEST(PeerMediaTest, WrongServerFingerprintFailsTheHandshake) {
  asio::io_context io;
  LoopbackServer server(io, /*wrong_fingerprint=*/true);
  PeerMedia peer(io, rtc::DtlsContext::Create(), ToneOptions(660, 1));
  std::string error;
  auto offer = peer.CreateOffer(&error);
  ASSERT_TRUE(offer) << error;
  std::string reason;
  peer.SetStateCallback([&](PeerMedia::State, const std::string& why) { reason = why; });
  ASSERT_TRUE(peer.ApplyAnswer(server.Answer(*offer), &error)) << error;
  ASSERT_TRUE(RunUntil(
      io, [&] { return peer.GetState() == PeerMedia::State::kFailed; }, std::chrono::seconds(5)));
  EXPECT_NE(reason.find("DTLS"), std::string::npos) << reason;
  EXPECT_EQ(server.RtpFromPeer(), 0u);
}

TEST(PeerMediaTest, NoServerFailsWithAnIceReasonWithinTheConnectTimeout) {
  asio::io_context io;
  std::string answer;
  std::string offer;
  {
    // Answer from a server that then goes away: its port is closed when the peer checks.
    LoopbackServer server(io);
    PeerMedia probe(io, rtc::DtlsContext::Create(), ToneOptions(440, 1));
    std::string error;
    offer = *probe.CreateOffer(&error);
    answer = server.Answer(offer);
  }
  io.restart();
  io.run_for(std::chrono::milliseconds(10));  // let the closed server's handlers drain
  PeerMediaOptions options = ToneOptions(440, 1);
  options.connect_timeout = std::chrono::milliseconds(400);
  PeerMedia peer(io, rtc::DtlsContext::Create(), std::move(options));
  std::string error;
  ASSERT_TRUE(peer.CreateOffer(&error));
  // The answer's credentials belong to another offer, which does not matter: nobody answers.
  ASSERT_TRUE(peer.ApplyAnswer(answer, &error)) << error;
  ASSERT_TRUE(RunUntil(
      io, [&] { return peer.GetState() == PeerMedia::State::kFailed; }, std::chrono::seconds(3)));
  EXPECT_NE(peer.FailureReason().find("ICE"), std::string::npos) << peer.FailureReason();
  EXPECT_GT(peer.Counters().stun_requests_sent, 2u);
}

TEST(PeerMediaTest, AnswerWithoutPassiveSetupIsRefused) {
  asio::io_context io;
  LoopbackServer server(io);
  PeerMedia peer(io, rtc::DtlsContext::Create(), ToneOptions(440, 1));
  std::string error;
  auto offer = peer.CreateOffer(&error);
  ASSERT_TRUE(offer);
  std::string answer = server.Answer(*offer);
  const auto at = answer.find("a=setup:passive");
  ASSERT_NE(at, std::string::npos);
  answer.replace(at, 15, "a=setup:active");
  EXPECT_FALSE(peer.ApplyAnswer(answer, &error));
  EXPECT_NE(error.find("setup"), std::string::npos) << error;
}

}  // namespace
}  // namespace chorus::peer
