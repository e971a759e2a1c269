// SdpOffer: captured Chromium 156, Firefox 153 ESR and aiortc 1.4 offers, and offers outside the
// profile refused.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "rtc/SdpOffer.hpp"
#include "rtc/SdpParser.hpp"

namespace chorus::rtc {
namespace {

std::string ReadSdp(const std::string& name) {
  std::ifstream in(std::string(CHORUS_TEST_DATA) + "/sdp/" + name, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Replaces every occurrence of `from` (which must occur) by `to`.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  EXPECT_NE(text.find(from), std::string::npos) << from;
  for (auto pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

// Drops every line that starts with `prefix` (which must occur).
std::string DropLines(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string out;
  std::string line;
  bool dropped = false;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) {
      dropped = true;
      continue;
    }
    out += line + "\n";
  }
  EXPECT_TRUE(dropped) << prefix;
  return out;
}

SdpErrorCode RefusalOf(const std::string& text) {
  auto result = SdpOffer::Parse(text);
  EXPECT_FALSE(result.Ok());
  if (result.Ok()) return SdpErrorCode::kInvalidArgument;
  EXPECT_FALSE(result.Error().message.empty());
  return result.Error().code;
}

TEST(SdpOfferTest, ParsesCapturedChromiumOffer) {
  const std::string text = ReadSdp("chromium-offer.sdp");
  ASSERT_FALSE(text.empty());
  auto result = SdpOffer::Parse(text);
  ASSERT_TRUE(result.Ok()) << result.Error().message;
  const auto& offer = result.Value();
  EXPECT_EQ(offer.IceUfrag(), "IVbo");
  EXPECT_EQ(offer.IcePwd(), "nNepoGM9rm41TlhDzE4jv3Ys");
  EXPECT_EQ(offer.Fingerprint().algorithm, "sha-256");
  ASSERT_EQ(offer.Fingerprint().digest.size(), 32u);
  EXPECT_EQ(offer.Fingerprint().digest.front(), 0xBC);
  EXPECT_EQ(offer.Fingerprint().digest.back(), 0xAF);
  EXPECT_EQ(offer.Setup(), SdpSetup::kActpass);
  const auto& d = offer.Description();
  EXPECT_EQ(d.bundle_mids, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  ASSERT_EQ(d.media.size(), 5u);
  for (std::size_t i = 0; i < d.media.size(); ++i) {
    const auto& section = d.media[i];
    EXPECT_EQ(section.kind, "audio");
    EXPECT_EQ(section.mid, std::to_string(i));
    EXPECT_EQ(section.direction, i == 0 ? SdpDirection::kSendRecv : SdpDirection::kRecvOnly);
    EXPECT_TRUE(section.rtcp_mux);
    EXPECT_TRUE(section.rtcp_rsize);
    ASSERT_NE(section.FindOpus(), nullptr);
    EXPECT_EQ(section.FindOpus()->payload_type, 111);
    EXPECT_EQ(section.FindOpus()->fmtp, "minptime=10;useinbandfec=1");
    EXPECT_EQ(section.codecs.size(), 8u);
    EXPECT_EQ(section.ExtensionId(kAudioLevelExtensionUri), 1);
    EXPECT_EQ(section.ExtensionId(kMidExtensionUri), 4);
  }
  ASSERT_TRUE(offer.UpstreamIndex().has_value());
  EXPECT_EQ(*offer.UpstreamIndex(), 0u);
  EXPECT_EQ(offer.ReceiveIndices(), (std::vector<std::size_t>{1, 2, 3, 4}));
  const auto* upstream = offer.Upstream();
  ASSERT_NE(upstream, nullptr);
  ASSERT_EQ(upstream->ssrcs.size(), 1u);
  EXPECT_EQ(upstream->ssrcs[0].ssrc, 1684097116u);
  EXPECT_EQ(upstream->ssrcs[0].cname, "aswjApoaiiSlektd");
  EXPECT_EQ(upstream->ssrcs[0].msid_stream, "f8e2845f-8ff7-4573-a5c4-98aa05781493");
  EXPECT_EQ(upstream->msid_track, "ec84bf06-4c11-45e2-8433-0aae388cd68b");
  EXPECT_TRUE(d.media[1].ssrcs.empty());
}

TEST(SdpOfferTest, ParsesCapturedAiortcOffer) {
  auto result = SdpOffer::Parse(ReadSdp("aiortc-offer.sdp"));
  ASSERT_TRUE(result.Ok()) << result.Error().message;
  const auto& offer = result.Value();
  // aiortc writes per-section credentials; the BUNDLE tag's (mid 0) are the transport's.
  EXPECT_EQ(offer.IceUfrag(), "3ifO");
  EXPECT_EQ(offer.IcePwd(), "7Dw1IQ6Kg38q6sMew4HE13");
  const auto* upstream = offer.Upstream();
  ASSERT_NE(upstream, nullptr);
  EXPECT_EQ(upstream->FindOpus()->payload_type, 96);
  // Ids differ from Chromium's: they are read, never assumed.
  EXPECT_EQ(upstream->ExtensionId(kMidExtensionUri), 1);
  EXPECT_EQ(upstream->ExtensionId(kAudioLevelExtensionUri), 2);
  EXPECT_EQ(upstream->ssrcs.at(0).ssrc, 1594757242u);
  EXPECT_EQ(offer.ReceiveIndices().size(), 4u);
  EXPECT_EQ(upstream->candidates.size(), 2u);
}

// Firefox 153 ESR under bundlePolicy "max-bundle": every section after the first has port 0 and
// a=bundle-only (RFC 8843 §6). Those sections are live, not disabled; before this was understood
// chorusd answered them "m=audio 0 ... inactive" and no audio flowed either way.
TEST(SdpOfferTest, FirefoxBundleOnlySectionsAreReceiveSections) {
  auto result = SdpOffer::Parse(ReadSdp("firefox-offer.sdp"));
  ASSERT_TRUE(result.Ok()) << result.Error().message;
  const auto& offer = result.Value();
  const auto& media = offer.Description().media;
  ASSERT_EQ(media.size(), 4u);
  EXPECT_EQ(offer.UpstreamIndex(), 0u);
  EXPECT_EQ(offer.ReceiveIndices(), (std::vector<std::size_t>{1, 2, 3}));
  for (std::size_t i = 1; i < media.size(); ++i) {
    EXPECT_EQ(media[i].port, 0);
    EXPECT_TRUE(media[i].bundle_only);
    EXPECT_TRUE(offer.IsUsableAudio(i));
  }
  // Firefox puts the fingerprint at session level and the credentials in each section.
  EXPECT_EQ(offer.Fingerprint().algorithm, "sha-256");
  EXPECT_EQ(offer.Upstream()->FindOpus()->payload_type, 109);
}

TEST(SdpOfferTest, PortZeroWithoutBundleOnlyStaysDisabled) {
  const std::string text = ReplaceAll(ReadSdp("firefox-offer.sdp"), "a=bundle-only\r\n", "");
  auto result = SdpOffer::Parse(text);
  ASSERT_TRUE(result.Ok()) << result.Error().message;
  EXPECT_FALSE(result.Value().IsUsableAudio(1));
  EXPECT_TRUE(result.Value().ReceiveIndices().empty());
}

TEST(SdpOfferTest, RefusesABundleOnlyTag) {
  // RFC 8843 §7.2.1: the offerer-tagged section carries a port; it cannot be bundle-only.
  std::string text = ReadSdp("firefox-offer.sdp");
  text.replace(text.find("m=audio 9 "), 10, "m=audio 0 ");
  text.replace(text.find("a=sendrecv\r\n"), 12, "a=sendrecv\r\na=bundle-only\r\n");
  EXPECT_EQ(RefusalOf(text), SdpErrorCode::kNoBundle);
}

TEST(SdpOfferTest, AcceptsVideoSectionsForRejection) {
  auto result = SdpOffer::Parse(ReadSdp("chromium-offer-video.sdp"));
  ASSERT_TRUE(result.Ok()) << result.Error().message;
  const auto& offer = result.Value();
  ASSERT_EQ(offer.Description().media.size(), 6u);
  EXPECT_FALSE(offer.IsUsableAudio(5));
  EXPECT_EQ(offer.ReceiveIndices(), (std::vector<std::size_t>{1, 2, 3, 4}));
}

TEST(SdpOfferTest, ListenOnlyOfferHasNoUpstream) {
  const std::string text = ReplaceAll(ReadSdp("chromium-offer.sdp"), "a=sendrecv", "a=recvonly");
  auto result = SdpOffer::Parse(text);
  ASSERT_TRUE(result.Ok()) << result.Error().message;
  EXPECT_FALSE(result.Value().UpstreamIndex().has_value());
  EXPECT_EQ(result.Value().ReceiveIndices().size(), 5u);
}

TEST(SdpOfferTest, RefusesOffersOutsideTheProfile) {
  const std::string good = ReadSdp("chromium-offer.sdp");
  EXPECT_EQ(RefusalOf("garbage"), SdpErrorCode::kMalformed);
  EXPECT_EQ(RefusalOf(""), SdpErrorCode::kMalformed);
  EXPECT_EQ(RefusalOf(good + std::string(SdpParser::kMaxSdpBytes, 'x')), SdpErrorCode::kTooLarge);
  EXPECT_EQ(RefusalOf("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"), SdpErrorCode::kNoAudio);
  EXPECT_EQ(RefusalOf(ReplaceAll(good, "m=audio", "m=video")), SdpErrorCode::kNoAudio);
  EXPECT_EQ(RefusalOf(ReplaceAll(good, "opus/48000/2", "opus/48000/1")), SdpErrorCode::kNoOpus);
  EXPECT_EQ(RefusalOf(DropLines(good, "a=rtpmap:111")), SdpErrorCode::kNoOpus);
  EXPECT_EQ(RefusalOf(DropLines(good, "a=rtcp-mux")), SdpErrorCode::kNoRtcpMux);
  EXPECT_EQ(RefusalOf(DropLines(good, "a=group:BUNDLE")), SdpErrorCode::kNoBundle);
  EXPECT_EQ(RefusalOf(ReplaceAll(good, "a=group:BUNDLE 0 1 2 3 4", "a=group:BUNDLE 0 1")),
            SdpErrorCode::kNoBundle);
  EXPECT_EQ(RefusalOf(DropLines(good, "a=fingerprint")), SdpErrorCode::kNoFingerprint);
  EXPECT_EQ(RefusalOf(ReplaceAll(good, "a=fingerprint:sha-256 BC:", "a=fingerprint:sha-256 ")),
            SdpErrorCode::kNoFingerprint);
  EXPECT_EQ(RefusalOf(ReplaceAll(good, "sha-256", "md5")), SdpErrorCode::kNoFingerprint);
  EXPECT_EQ(RefusalOf(DropLines(good, "a=ice-ufrag")), SdpErrorCode::kNoIceCredentials);
  EXPECT_EQ(RefusalOf(DropLines(good, "a=ice-pwd")), SdpErrorCode::kNoIceCredentials);
  EXPECT_EQ(RefusalOf(ReplaceAll(good, "a=ice-pwd:nNepoGM9rm41TlhDzE4jv3Ys", "a=ice-pwd:short")),
            SdpErrorCode::kNoIceCredentials);
  EXPECT_EQ(RefusalOf(ReplaceAll(good, "a=setup:actpass", "a=setup:passive")),
            SdpErrorCode::kBadSetup);
  EXPECT_EQ(RefusalOf(DropLines(good, "a=mid:")), SdpErrorCode::kBadMid);
  EXPECT_EQ(RefusalOf(ReplaceAll(good, "a=mid:1", "a=mid:0")), SdpErrorCode::kBadMid);
  EXPECT_EQ(RefusalOf(ReplaceAll(good, "a=mid:1", "a=mid:a very long mid")), SdpErrorCode::kBadMid);
  EXPECT_EQ(RefusalOf(ReplaceAll(good, "UDP/TLS/RTP/SAVPF", "RTP/AVP")),
            SdpErrorCode::kBadTransport);
  EXPECT_EQ(RefusalOf(DropLines(good, "a=extmap:1 ")), SdpErrorCode::kNoAudioLevel);
  // Fields echoed into the answer's rejected sections must not carry a stray CR.
  EXPECT_EQ(RefusalOf(ReplaceAll(ReadSdp("chromium-offer-video.sdp"), "m=video", "m=vi\rdeo")),
            SdpErrorCode::kMalformed);
}

TEST(SdpOfferTest, SessionLevelCredentialsAreInherited) {
  // Move the first section's ICE/DTLS lines to the session level and drop the others.
  std::string text = ReadSdp("chromium-offer.sdp");
  text = DropLines(DropLines(DropLines(text, "a=ice-ufrag"), "a=ice-pwd"), "a=fingerprint");
  const std::string session =
      "a=ice-ufrag:IVbo\r\na=ice-pwd:nNepoGM9rm41TlhDzE4jv3Ys\r\n"
      "a=fingerprint:sha-256 BC:5D:89:6B:E3:5A:AF:AD:18:24:72:FB:6C:DE:4B:4E:CD:59:A0:9D:9E:3D:"
      "59:FA:58:BB:BE:23:3C:0F:CA:AF\r\n";
  text.insert(text.find("m=audio"), session);
  auto result = SdpOffer::Parse(text);
  ASSERT_TRUE(result.Ok()) << result.Error().message;
  EXPECT_EQ(result.Value().IceUfrag(), "IVbo");
  EXPECT_EQ(result.Value().Fingerprint().digest.size(), 32u);
}

}  // namespace
}  // namespace chorus::rtc
