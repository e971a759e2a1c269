// SdpAnswerBuilder: answers to captured offers keep order and mids, carry the offer's ids, and
// read back through SdpAnswer (the test peer's parser).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rtc/SdpAnswer.hpp"
#include "rtc/SdpAnswerBuilder.hpp"
#include "rtc/SdpOffer.hpp"

namespace chorus::rtc {
namespace {

constexpr std::string_view kServerFingerprint =
    "sha-256 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:"
    "89:AB:CD:EF";

std::string ReadSdp(const std::string& name) {
  std::ifstream in(std::string(CHORUS_TEST_DATA) + "/sdp/" + name, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

SdpAnswerOptions Options() {
  SdpAnswerOptions options;
  options.ice_ufrag = "srvU";
  options.ice_pwd = "serverpasswordserverpw";
  options.fingerprint = std::string(kServerFingerprint);
  options.announce_ips = {"10.78.0.1"};
  options.announce_port = 40000;
  options.slot_ssrcs = {1001, 1002, 1003, 1004};
  options.cname = "chorus";
  return options;
}

SdpOffer OfferFrom(const std::string& file) {
  auto offer = SdpOffer::Parse(ReadSdp(file));
  EXPECT_TRUE(offer.Ok()) << offer.Error().message;
  return std::move(offer).Value();
}

// The lines of section `index` (0-based m= sections) of `sdp`.
std::vector<std::string> SectionLines(const std::string& sdp, std::size_t index) {
  std::istringstream in(sdp);
  std::vector<std::string> lines;
  std::string line;
  int section = -1;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("m=", 0) == 0) ++section;
    if (section == static_cast<int>(index)) lines.push_back(line);
  }
  return lines;
}

bool Has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

TEST(SdpAnswerBuilderTest, AnswersCapturedChromiumOffer) {
  const SdpOffer offer = OfferFrom("chromium-offer.sdp");
  auto built = SdpAnswerBuilder::Build(offer, Options());
  ASSERT_TRUE(built.Ok()) << built.Error().message;
  const auto& answer = built.Value();
  const std::string& sdp = answer.sdp;

  // Every line ends in CRLF and session-level lines come first.
  EXPECT_EQ(sdp.rfind("v=0\r\n", 0), 0u);
  EXPECT_EQ(sdp.find('\n'), sdp.find("\r\n") + 1);
  EXPECT_NE(sdp.find("\r\na=ice-lite\r\n"), std::string::npos);
  EXPECT_NE(sdp.find("\r\na=group:BUNDLE 0 1 2 3 4\r\n"), std::string::npos);
  EXPECT_LT(sdp.find("a=ice-lite"), sdp.find("m=audio"));

  for (std::size_t i = 0; i < 5; ++i) {
    const auto lines = SectionLines(sdp, i);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], "m=audio 40000 UDP/TLS/RTP/SAVPF 111");
    EXPECT_TRUE(Has(lines, "c=IN IP4 10.78.0.1"));
    EXPECT_TRUE(Has(lines, "a=mid:" + std::to_string(i)));
    EXPECT_TRUE(Has(lines, "a=ice-ufrag:srvU"));
    EXPECT_TRUE(Has(lines, "a=ice-pwd:serverpasswordserverpw"));
    EXPECT_TRUE(Has(lines, "a=fingerprint:" + std::string(kServerFingerprint)));
    EXPECT_TRUE(Has(lines, "a=setup:passive"));
    EXPECT_TRUE(Has(lines, "a=rtcp-mux"));
    EXPECT_TRUE(Has(lines, "a=rtcp-rsize"));
    EXPECT_TRUE(Has(lines, "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
    EXPECT_TRUE(Has(lines, "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid"));
    EXPECT_TRUE(Has(lines, "a=rtpmap:111 opus/48000/2"));
    EXPECT_TRUE(Has(lines, "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1"));
    EXPECT_TRUE(Has(lines, "a=candidate:1 1 udp 2130706431 10.78.0.1 40000 typ host"));
    EXPECT_TRUE(Has(lines, "a=end-of-candidates"));
    EXPECT_FALSE(
        Has(lines, "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"));
    if (i == 0) {
      EXPECT_TRUE(Has(lines, "a=recvonly"));
      EXPECT_FALSE(Has(lines, "a=sendonly"));
    } else {
      const std::string ssrc = std::to_string(1000 + i);
      const std::string msid = "chorus-slot-" + std::to_string(i - 1);
      EXPECT_TRUE(Has(lines, "a=sendonly"));
      EXPECT_TRUE(Has(lines, "a=msid:" + msid + " " + msid + "-audio"));
      EXPECT_TRUE(Has(lines, "a=ssrc:" + ssrc + " cname:chorus"));
      EXPECT_TRUE(Has(lines, "a=ssrc:" + ssrc + " msid:" + msid + " " + msid + "-audio"));
    }
  }
  EXPECT_TRUE(SectionLines(sdp, 5).empty());

  ASSERT_TRUE(answer.upstream.has_value());
  EXPECT_EQ(answer.upstream->params.mid, "0");
  EXPECT_EQ(answer.upstream->params.opus_payload_type, 111);
  EXPECT_EQ(answer.upstream->params.audio_level_id, 1);
  EXPECT_EQ(answer.upstream->params.mid_id, 4);
  EXPECT_EQ(answer.upstream->ssrcs, (std::vector<std::uint32_t>{1684097116u}));
  EXPECT_EQ(answer.upstream->cname, "aswjApoaiiSlektd");
  ASSERT_EQ(answer.slots.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(answer.slots[i].slot_index, i);
    EXPECT_EQ(answer.slots[i].params.mid, std::to_string(i + 1));
    EXPECT_EQ(answer.slots[i].ssrc, 1001 + i);
  }
}

TEST(SdpAnswerBuilderTest, AnswersFirefoxBundleOnlySectionsWithSlots) {
  auto built = SdpAnswerBuilder::Build(OfferFrom("firefox-offer.sdp"), Options());
  ASSERT_TRUE(built.Ok()) << built.Error().message;
  const std::string& sdp = built.Value().sdp;
  EXPECT_NE(sdp.find("\r\na=group:BUNDLE 0 1 2 3\r\n"), std::string::npos);
  EXPECT_EQ(sdp.find("a=bundle-only"), std::string::npos);  // never in an answer (RFC 8843 §7.3)
  EXPECT_TRUE(Has(SectionLines(sdp, 0), "a=recvonly"));
  for (std::size_t i = 1; i < 4; ++i) {
    const auto lines = SectionLines(sdp, i);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0].rfind("m=audio 40000 ", 0), 0u) << lines[0];
    EXPECT_TRUE(Has(lines, "a=sendonly")) << i;
  }
  EXPECT_EQ(built.Value().slots.size(), 3u);
}

TEST(SdpAnswerBuilderTest, AnswerReadsBackThroughThePeerParser) {
  auto built = SdpAnswerBuilder::Build(OfferFrom("chromium-offer.sdp"), Options());
  ASSERT_TRUE(built.Ok());
  auto parsed = SdpAnswer::Parse(built.Value().sdp);
  ASSERT_TRUE(parsed.Ok()) << parsed.Error().message;
  const auto& answer = parsed.Value();
  EXPECT_TRUE(answer.IceLite());
  EXPECT_EQ(answer.IceUfrag(), "srvU");
  EXPECT_EQ(answer.IcePwd(), "serverpasswordserverpw");
  EXPECT_EQ(answer.Fingerprint().ToString(), kServerFingerprint);
  EXPECT_EQ(answer.Setup(), SdpSetup::kPassive);
  EXPECT_EQ(answer.Candidate().address, "10.78.0.1");
  EXPECT_EQ(answer.Candidate().port, 40000);
  ASSERT_EQ(answer.Slots().size(), 4u);
  EXPECT_EQ(answer.Slots()[0].mid, "1");
  EXPECT_EQ(answer.Slots()[0].ssrc, 1001u);
  EXPECT_EQ(answer.Slots()[3].msid_stream, "chorus-slot-3");
  EXPECT_EQ(answer.Slots()[3].cname, "chorus");
  // Answers are not offers: a server answer must not validate as an offer (setup:passive).
  EXPECT_FALSE(SdpOffer::Parse(built.Value().sdp).Ok());
}

TEST(SdpAnswerBuilderTest, AnswersAiortcOfferWithItsIds) {
  auto options = Options();
  options.announce_ips = {"::1"};
  auto built = SdpAnswerBuilder::Build(OfferFrom("aiortc-offer.sdp"), options);
  ASSERT_TRUE(built.Ok()) << built.Error().message;
  const auto lines = SectionLines(built.Value().sdp, 2);
  EXPECT_EQ(lines.at(0), "m=audio 40000 UDP/TLS/RTP/SAVPF 96");
  EXPECT_TRUE(Has(lines, "c=IN IP6 ::1"));
  EXPECT_TRUE(Has(lines, "a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
  EXPECT_TRUE(Has(lines, "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid"));
  EXPECT_TRUE(Has(lines, "a=fmtp:96 minptime=10;useinbandfec=1;usedtx=1"));
  EXPECT_FALSE(Has(lines, "a=rtcp-rsize"));  // aiortc does not offer it
  EXPECT_TRUE(Has(lines, "a=candidate:1 1 udp 2130706431 ::1 40000 typ host"));
  EXPECT_EQ(built.Value().slots.at(1).params.audio_level_id, 2);
  EXPECT_TRUE(SdpAnswer::Parse(built.Value().sdp).Ok());
}

TEST(SdpAnswerBuilderTest, TcpPortAddsAPassiveTcpCandidateBelowUdp) {
  auto options = Options();
  options.announce_tcp_port = 40001;
  auto built = SdpAnswerBuilder::Build(OfferFrom("chromium-offer.sdp"), options);
  ASSERT_TRUE(built.Ok()) << built.Error().message;
  for (std::size_t i = 0; i < 5; ++i) {
    const auto lines = SectionLines(built.Value().sdp, i);
    EXPECT_EQ(lines.at(0), "m=audio 40000 UDP/TLS/RTP/SAVPF 111");  // the m= port stays UDP's
    const auto udp = std::find(lines.begin(), lines.end(),
                               "a=candidate:1 1 udp 2130706431 10.78.0.1 40000 typ host");
    // RFC 6544 §4.5 syntax; priority 90 << 24 | (4 << 13 | 8191) << 8 | 255 (RFC 6544 §4.2).
    const auto tcp = std::find(lines.begin(), lines.end(),
                               "a=candidate:2 1 tcp 1520435199 10.78.0.1 40001 typ host "
                               "tcptype passive");
    const auto end = std::find(lines.begin(), lines.end(), "a=end-of-candidates");
    ASSERT_NE(udp, lines.end());
    ASSERT_NE(tcp, lines.end());
    EXPECT_LT(udp, tcp);
    EXPECT_LT(tcp, end);
  }
  // The test peer's parser still finds the UDP candidate first, whatever follows it.
  auto parsed = SdpAnswer::Parse(built.Value().sdp);
  ASSERT_TRUE(parsed.Ok());
  EXPECT_EQ(parsed.Value().Candidate().transport, "udp");
  EXPECT_EQ(parsed.Value().Candidate().port, 40000);
  const auto& candidates = parsed.Value().Description().media.at(0).candidates;
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[1].transport, "tcp");
  EXPECT_LT(candidates[1].priority, candidates[0].priority);

  // Without a TCP port, no TCP candidate.
  auto udp_only = SdpAnswerBuilder::Build(OfferFrom("chromium-offer.sdp"), Options());
  ASSERT_TRUE(udp_only.Ok());
  EXPECT_EQ(udp_only.Value().sdp.find(" tcp "), std::string::npos);
}

// A public address behind a cloud 1:1 NAT plus the private one: a UDP (and a TCP) host candidate
// for each, the first preferred, each with its own foundation; c= names the first.
TEST(SdpAnswerBuilderTest, EveryAnnouncedAddressIsACandidateFirstPreferred) {
  auto options = Options();
  options.announce_ips = {"203.0.113.10", "10.0.0.5"};
  options.announce_tcp_port = 40000;
  auto built = SdpAnswerBuilder::Build(OfferFrom("chromium-offer.sdp"), options);
  ASSERT_TRUE(built.Ok()) << built.Error().message;
  EXPECT_NE(built.Value().sdp.find("\r\no=- 1 2 IN IP4 203.0.113.10\r\n"), std::string::npos);
  const auto lines = SectionLines(built.Value().sdp, 0);
  EXPECT_TRUE(Has(lines, "c=IN IP4 203.0.113.10"));
  EXPECT_TRUE(Has(lines, "a=candidate:1 1 udp 2130706431 203.0.113.10 40000 typ host"));
  EXPECT_TRUE(Has(lines, "a=candidate:3 1 udp 2130706175 10.0.0.5 40000 typ host"));
  EXPECT_TRUE(Has(lines,
                  "a=candidate:2 1 tcp 1520435199 203.0.113.10 40000 typ host tcptype "
                  "passive"));
  EXPECT_TRUE(Has(lines,
                  "a=candidate:4 1 tcp 1520434943 10.0.0.5 40000 typ host tcptype "
                  "passive"));
  // The peer's parser takes the first (preferred) candidate.
  auto answer = SdpAnswer::Parse(built.Value().sdp);
  ASSERT_TRUE(answer.Ok());
  EXPECT_EQ(answer.Value().Candidate().address, "203.0.113.10");
}

TEST(SdpAnswerBuilderTest, RejectsVideoWithPortZero) {
  auto built = SdpAnswerBuilder::Build(OfferFrom("chromium-offer-video.sdp"), Options());
  ASSERT_TRUE(built.Ok()) << built.Error().message;
  const auto& sdp = built.Value().sdp;
  EXPECT_NE(sdp.find("a=group:BUNDLE 0 1 2 3 4\r\n"), std::string::npos);
  const auto video = SectionLines(sdp, 5);
  ASSERT_GE(video.size(), 3u);
  EXPECT_EQ(video[0], "m=video 0 UDP/TLS/RTP/SAVPF 96");
  EXPECT_TRUE(Has(video, "a=mid:5"));
  EXPECT_TRUE(Has(video, "a=inactive"));
  EXPECT_EQ(std::count_if(video.begin(), video.end(),
                          [](const std::string& l) { return l.rfind("a=candidate", 0) == 0; }),
            0);
}

TEST(SdpAnswerBuilderTest, FewerSlotsThanSectionsLeavesTheRestInactive) {
  auto options = Options();
  options.slot_ssrcs = {7, 8};
  auto built = SdpAnswerBuilder::Build(OfferFrom("chromium-offer.sdp"), options);
  ASSERT_TRUE(built.Ok());
  EXPECT_EQ(built.Value().slots.size(), 2u);
  EXPECT_TRUE(Has(SectionLines(built.Value().sdp, 2), "a=sendonly"));
  const auto extra = SectionLines(built.Value().sdp, 3);
  EXPECT_TRUE(Has(extra, "a=inactive"));
  EXPECT_TRUE(Has(extra, "a=mid:3"));
  EXPECT_EQ(std::count_if(extra.begin(), extra.end(),
                          [](const std::string& l) { return l.rfind("a=ssrc", 0) == 0; }),
            0);
}

TEST(SdpAnswerBuilderTest, RefusesUnusableOptions) {
  const SdpOffer offer = OfferFrom("chromium-offer.sdp");
  auto expect_invalid = [&](const SdpAnswerOptions& options) {
    auto built = SdpAnswerBuilder::Build(offer, options);
    ASSERT_FALSE(built.Ok());
    EXPECT_EQ(built.Error().code, SdpErrorCode::kInvalidArgument);
  };
  auto o = Options();
  o.ice_ufrag = "ab";
  expect_invalid(o);
  o = Options();
  o.ice_pwd = "pass\r\na=inject:yes-1234567";
  expect_invalid(o);
  o = Options();
  o.fingerprint = "sha-1 01:23";
  expect_invalid(o);
  o = Options();
  o.announce_ips = {"localhost"};
  expect_invalid(o);
  o = Options();
  o.announce_ips = {"10.78.0.1", "10.78.0.1,10.0.0.2"};  // a comma list is one malformed address
  expect_invalid(o);
  o = Options();
  o.announce_ips = {};
  expect_invalid(o);
  o = Options();
  o.announce_ips.assign(SdpAnswerOptions::kMaxAnnounceIps + 1, "10.78.0.1");
  expect_invalid(o);
  o = Options();
  o.announce_port = 0;
  expect_invalid(o);
  o = Options();
  o.slot_ssrcs = {5, 5};
  expect_invalid(o);
  o = Options();
  o.cname = "two words";
  expect_invalid(o);
  o = Options();
  o.fingerprint = std::string(kServerFingerprint.substr(8));  // bare hex: sha-256 assumed
  EXPECT_TRUE(SdpAnswerBuilder::Build(offer, o).Ok());
}

}  // namespace
}  // namespace chorus::rtc
