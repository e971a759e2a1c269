// SdpParser: line syntax, bounds, session-level defaults, attribute parsing.
#include <gtest/gtest.h>

#include <string>

#include "rtc/SdpParser.hpp"

namespace chorus::rtc {
namespace {

constexpr std::string_view kMinimal =
    "v=0\n"
    "o=- 42 7 IN IP4 127.0.0.1\n"
    "s=-\n"
    "t=0 0\n"
    "a=group:BUNDLE a b\n"
    "a=ice-ufrag:sess\n"
    "a=ice-pwd:sessionpasswordsessionpw\n"
    "a=fingerprint:SHA-256 0a:0B:FF\n"
    "a=setup:actpass\n"
    "a=recvonly\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\n"
    "a=mid:a\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:111 opus/48000/2\n"
    "a=rtpmap:112 opus/48000/2\n"
    "a=extmap:3/sendrecv urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on\n"
    "a=ssrc:5 cname:c5\n"
    "a=ssrc:5 msid:s5 t5\n"
    "a=ssrc:6 cname:c6\n"
    "a=candidate:1 1 UDP 2130706431 10.0.0.1 40000 typ host generation 0\n"
    "a=candidate:bad\n"
    "a=end-of-candidates\n"
    "m=video 0 UDP/TLS/RTP/SAVPF 96\n"
    "a=mid:b\n"
    "a=ice-ufrag:media\n"
    "a=sendonly\n";

TEST(SdpParserTest, ReadsSessionAndMediaAttributes) {
  auto result = SdpParser::Parse(kMinimal);
  ASSERT_TRUE(result.Ok()) << result.Error().message;
  const auto& d = result.Value();
  EXPECT_EQ(d.session_id, 42u);
  EXPECT_EQ(d.session_version, 7u);
  EXPECT_FALSE(d.ice_lite);
  EXPECT_EQ(d.bundle_mids, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(d.media.size(), 2u);

  const auto& audio = d.media[0];
  EXPECT_EQ(audio.kind, "audio");
  EXPECT_EQ(audio.port, 9);
  EXPECT_EQ(audio.mid, "a");
  EXPECT_EQ(audio.direction, SdpDirection::kRecvOnly);  // session-level default applies
  EXPECT_EQ(audio.ice_ufrag, "sess");
  EXPECT_EQ(audio.ice_pwd, "sessionpasswordsessionpw");
  ASSERT_TRUE(audio.fingerprint.has_value());
  EXPECT_EQ(audio.fingerprint->algorithm, "sha-256");
  EXPECT_EQ(audio.fingerprint->digest, (std::vector<std::uint8_t>{0x0A, 0x0B, 0xFF}));
  EXPECT_EQ(audio.fingerprint->ToString(), "sha-256 0A:0B:FF");
  EXPECT_EQ(audio.setup, SdpSetup::kActpass);
  // Codecs in m= order; 112 is not on the m= line and is dropped; fmtp before rtpmap attaches.
  ASSERT_EQ(audio.codecs.size(), 2u);
  EXPECT_EQ(audio.codecs[0].payload_type, 111);
  EXPECT_EQ(audio.codecs[0].fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(audio.codecs[1].encoding, "PCMU");
  EXPECT_EQ(audio.codecs[1].channels, 1u);
  ASSERT_NE(audio.FindOpus(), nullptr);
  EXPECT_EQ(audio.FindOpus()->payload_type, 111);
  EXPECT_EQ(audio.ExtensionId(kAudioLevelExtensionUri), 3);
  EXPECT_FALSE(audio.ExtensionId(kMidExtensionUri).has_value());
  ASSERT_EQ(audio.ssrcs.size(), 2u);
  EXPECT_EQ(audio.ssrcs[0].ssrc, 5u);
  EXPECT_EQ(audio.ssrcs[0].cname, "c5");
  EXPECT_EQ(audio.ssrcs[0].msid_stream, "s5");
  EXPECT_EQ(audio.ssrcs[0].msid_track, "t5");
  EXPECT_EQ(audio.ssrcs[1].cname, "c6");
  ASSERT_EQ(audio.candidates.size(), 1u);  // the unreadable one is skipped
  EXPECT_EQ(audio.candidates[0].transport, "udp");
  EXPECT_EQ(audio.candidates[0].address, "10.0.0.1");
  EXPECT_EQ(audio.candidates[0].port, 40000);
  EXPECT_EQ(audio.candidates[0].type, "host");
  EXPECT_TRUE(audio.end_of_candidates);

  const auto& video = d.media[1];
  EXPECT_TRUE(video.IsRejected());
  EXPECT_EQ(video.direction, SdpDirection::kSendOnly);  // media level wins
  EXPECT_EQ(video.ice_ufrag, "media");
  EXPECT_EQ(d.FindMid("b"), &video);
  EXPECT_TRUE(d.InBundle("b"));
  EXPECT_FALSE(d.InBundle("c"));
}

TEST(SdpParserTest, CrlfAndLfGiveTheSameResult) {
  std::string crlf;
  for (char c : kMinimal) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  auto lf = SdpParser::Parse(kMinimal);
  auto with_cr = SdpParser::Parse(crlf);
  ASSERT_TRUE(lf.Ok());
  ASSERT_TRUE(with_cr.Ok());
  EXPECT_EQ(with_cr.Value().media[0].ice_pwd, lf.Value().media[0].ice_pwd);
  EXPECT_EQ(with_cr.Value().media[1].mid, "b");
}

TEST(SdpParserTest, RefusesGarbage) {
  for (std::string_view text :
       {std::string_view(""), std::string_view("hello"), std::string_view("v=1\n"),
        std::string_view("s=-\nv=0\n"), std::string_view("v=0\nA=b\n"),
        std::string_view("v=0\nm=audio\n"), std::string_view("v=0\nm=audio x RTP/AVP 0\n"),
        std::string_view("v=0\nm=audio 70000 RTP/AVP 0\n"),
        std::string_view("v=0\nm=audio 9 RTP/AVP\n"), std::string_view("\x00\x01\x02", 3)}) {
    auto result = SdpParser::Parse(text);
    ASSERT_FALSE(result.Ok()) << text;
    EXPECT_EQ(result.Error().code, SdpErrorCode::kMalformed);
    EXPECT_FALSE(result.Error().message.empty());
  }
}

TEST(SdpParserTest, ErrorMessagesAreShortAndPrintable) {
  const std::string line(500, '\x07');
  auto result = SdpParser::Parse("v=0\n" + line + "\n");
  ASSERT_FALSE(result.Ok());
  EXPECT_LT(result.Error().message.size(), 100u);
  for (char c : result.Error().message) EXPECT_GE(static_cast<unsigned char>(c), 0x20);
}

TEST(SdpParserTest, EnforcesSizeAndSectionCaps) {
  std::string huge = "v=0\n";
  while (huge.size() <= SdpParser::kMaxSdpBytes) huge += "a=x-padding:0123456789abcdef\n";
  auto too_large = SdpParser::Parse(huge);
  ASSERT_FALSE(too_large.Ok());
  EXPECT_EQ(too_large.Error().code, SdpErrorCode::kTooLarge);

  std::string many = "v=0\n";
  for (std::size_t i = 0; i <= SdpParser::kMaxMediaSections; ++i) {
    many += "m=audio 9 UDP/TLS/RTP/SAVPF 111\na=mid:" + std::to_string(i) + "\n";
  }
  auto too_many = SdpParser::Parse(many);
  ASSERT_FALSE(too_many.Ok());
  EXPECT_EQ(too_many.Error().code, SdpErrorCode::kTooManyMediaSections);
}

TEST(SdpParserTest, FingerprintSyntax) {
  EXPECT_TRUE(SdpFingerprint::Parse("sha-1 AB").has_value());
  EXPECT_FALSE(SdpFingerprint::Parse("sha-256").has_value());
  EXPECT_FALSE(SdpFingerprint::Parse("sha-256 ").has_value());
  EXPECT_FALSE(SdpFingerprint::Parse("sha-256 ABC").has_value());
  EXPECT_FALSE(SdpFingerprint::Parse("sha-256 AB:").has_value());
  EXPECT_FALSE(SdpFingerprint::Parse("sha-256 AB-CD").has_value());
  EXPECT_FALSE(SdpFingerprint::Parse("sha-256 GG").has_value());
  EXPECT_FALSE(SdpFingerprint::Parse("sha 256 AB").has_value());
  EXPECT_FALSE(SdpFingerprint::Parse(" AB").has_value());
}

}  // namespace
}  // namespace chorus::rtc
