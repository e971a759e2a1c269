// SdpOfferBuilder: the test peer's offer validates as a Chorus offer and survives the full
// offer -> answer -> peer parse round trip.
#include <gtest/gtest.h>

#include <string>

#include "rtc/SdpAnswer.hpp"
#include "rtc/SdpAnswerBuilder.hpp"
#include "rtc/SdpOffer.hpp"
#include "rtc/SdpOfferBuilder.hpp"

namespace chorus::rtc {
namespace {

constexpr std::string_view kPeerFingerprint =
    "sha-256 FE:DC:BA:98:76:54:32:10:FE:DC:BA:98:76:54:32:10:FE:DC:BA:98:76:54:32:10:FE:DC:BA:98:"
    "76:54:32:10";

SdpOfferOptions PeerOptions() {
  SdpOfferOptions options;
  options.ice_ufrag = "peer";
  options.ice_pwd = "peerpasswordpeerpasswd";
  options.fingerprint = std::string(kPeerFingerprint);
  options.send_ssrc = 0xCAFEBABE;
  options.receive_sections = 3;
  options.opus_payload_type = 109;
  options.audio_level_id = 5;
  options.mid_id = 9;
  return options;
}

TEST(SdpOfferBuilderTest, OfferParsesWithEveryField) {
  auto text = SdpOfferBuilder::Build(PeerOptions());
  ASSERT_TRUE(text.Ok()) << text.Error().message;
  auto offer = SdpOffer::Parse(text.Value());
  ASSERT_TRUE(offer.Ok()) << offer.Error().message;
  const auto& o = offer.Value();
  EXPECT_EQ(o.IceUfrag(), "peer");
  EXPECT_EQ(o.IcePwd(), "peerpasswordpeerpasswd");
  EXPECT_EQ(o.Fingerprint().ToString(), kPeerFingerprint);
  EXPECT_EQ(o.Setup(), SdpSetup::kActpass);
  EXPECT_EQ(o.Description().bundle_mids, (std::vector<std::string>{"0", "1", "2", "3"}));
  ASSERT_EQ(o.UpstreamIndex(), std::optional<std::size_t>(0));
  const auto* upstream = o.Upstream();
  EXPECT_EQ(upstream->direction, SdpDirection::kSendRecv);
  EXPECT_EQ(upstream->FindOpus()->payload_type, 109);
  EXPECT_EQ(upstream->ExtensionId(kAudioLevelExtensionUri), 5);
  EXPECT_EQ(upstream->ExtensionId(kMidExtensionUri), 9);
  ASSERT_EQ(upstream->ssrcs.size(), 1u);
  EXPECT_EQ(upstream->ssrcs[0].ssrc, 0xCAFEBABEu);
  EXPECT_EQ(upstream->ssrcs[0].cname, "chorus-peer");
  EXPECT_EQ(upstream->msid_track, "chorus-peer-mic");
  EXPECT_EQ(o.ReceiveIndices(), (std::vector<std::size_t>{1, 2, 3}));
  for (auto i : o.ReceiveIndices()) {
    EXPECT_EQ(o.Description().media[i].direction, SdpDirection::kRecvOnly);
  }
}

TEST(SdpOfferBuilderTest, FullRoundTripThroughServerAnswer) {
  auto offer = SdpOffer::Parse(SdpOfferBuilder::Build(PeerOptions()).Value());
  ASSERT_TRUE(offer.Ok());
  SdpAnswerOptions server;
  server.ice_ufrag = "srvX";
  server.ice_pwd = "serverpasswordserverpw";
  server.fingerprint =
      "sha-256 11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:"
      "11:11:11:11";
  server.announce_ips = {"127.0.0.1"};
  server.announce_port = 40123;
  server.slot_ssrcs = {11, 22, 33, 44};  // more slots than sections: only 3 are used
  server.cname = "srv";
  auto built = SdpAnswerBuilder::Build(offer.Value(), server);
  ASSERT_TRUE(built.Ok()) << built.Error().message;
  ASSERT_EQ(built.Value().slots.size(), 3u);
  EXPECT_EQ(built.Value().upstream->params.audio_level_id, 5);

  auto answer = SdpAnswer::Parse(built.Value().sdp);
  ASSERT_TRUE(answer.Ok()) << answer.Error().message;
  EXPECT_EQ(answer.Value().Candidate().address, "127.0.0.1");
  EXPECT_EQ(answer.Value().Candidate().port, 40123);
  EXPECT_EQ(answer.Value().IceUfrag(), "srvX");
  ASSERT_EQ(answer.Value().Slots().size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(answer.Value().Slots()[i].mid, std::to_string(i + 1));
    EXPECT_EQ(answer.Value().Slots()[i].ssrc, server.slot_ssrcs[i]);
  }
  const auto* slot_section = answer.Value().Description().FindMid("2");
  ASSERT_NE(slot_section, nullptr);
  EXPECT_EQ(slot_section->ExtensionId(kMidExtensionUri), 9);
  EXPECT_EQ(slot_section->FindOpus()->payload_type, 109);
}

TEST(SdpOfferBuilderTest, ListenOnlyAndSendOnlyVariants) {
  auto options = PeerOptions();
  options.send = false;
  auto listen = SdpOffer::Parse(SdpOfferBuilder::Build(options).Value());
  ASSERT_TRUE(listen.Ok()) << listen.Error().message;
  EXPECT_FALSE(listen.Value().UpstreamIndex().has_value());
  EXPECT_EQ(listen.Value().ReceiveIndices().size(), 3u);

  options = PeerOptions();
  options.send_direction = SdpDirection::kSendOnly;
  options.receive_sections = 0;
  auto send_only = SdpOffer::Parse(SdpOfferBuilder::Build(options).Value());
  ASSERT_TRUE(send_only.Ok()) << send_only.Error().message;
  EXPECT_EQ(send_only.Value().Upstream()->direction, SdpDirection::kSendOnly);
  EXPECT_TRUE(send_only.Value().ReceiveIndices().empty());
}

TEST(SdpOfferBuilderTest, RefusesUnusableOptions) {
  auto expect_invalid = [](const SdpOfferOptions& options) {
    auto built = SdpOfferBuilder::Build(options);
    ASSERT_FALSE(built.Ok());
    EXPECT_EQ(built.Error().code, SdpErrorCode::kInvalidArgument);
  };
  auto o = PeerOptions();
  o.ice_pwd = "short";
  expect_invalid(o);
  o = PeerOptions();
  o.fingerprint = "nonsense";
  expect_invalid(o);
  o = PeerOptions();
  o.mid_id = o.audio_level_id;
  expect_invalid(o);
  o = PeerOptions();
  o.audio_level_id = 15;
  expect_invalid(o);
  o = PeerOptions();
  o.opus_payload_type = 72;  // collides with RTCP packet types under rtcp-mux
  expect_invalid(o);
  o = PeerOptions();
  o.send_direction = SdpDirection::kRecvOnly;
  expect_invalid(o);
  o = PeerOptions();
  o.receive_sections = 100;
  expect_invalid(o);
  o = PeerOptions();
  o.cname = "";
  expect_invalid(o);
}

}  // namespace
}  // namespace chorus::rtc
