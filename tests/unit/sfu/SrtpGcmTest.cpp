// AEAD_AES_128_GCM SRTP/SRTCP on OpenSSL (SrtpGcm behind SrtpSession), cross-validated against
// libsrtp2 in both directions, plus the SRTP KDF, ROC estimation, replay, tamper, SSRC table
// limits, and the absence of allocations on the packet path.
#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <algorithm>
#include <array>
#include <random>
#include <vector>

#include "AllocationCounter.hpp"
#include "rtc/SrtpKdf.hpp"
#include "rtc/SrtpReplayWindow.hpp"
#include "rtc/SrtpSession.hpp"

namespace chorus::rtc {
namespace {

using Buffer = std::vector<std::uint8_t>;
constexpr std::size_t kBufferBytes = 1500;
constexpr SrtpProfile kGcm = SrtpProfile::kAeadAes128Gcm;

Buffer FromHex(std::string_view hex) {
  Buffer out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// RTP (RFC 3550 §5.1) with two CSRCs and a one-byte header extension (RFC 8285) carrying an
// audio level, so the AAD spans CSRCs and extension; payload of `payload_bytes`.
Buffer MakeRtp(std::uint16_t seq, std::uint32_t ssrc, std::size_t payload_bytes = 80) {
  Buffer p = {0x92,
              111,
              static_cast<std::uint8_t>(seq >> 8),
              static_cast<std::uint8_t>(seq),
              0x00,
              0x01,
              0x02,
              0x03,
              static_cast<std::uint8_t>(ssrc >> 24),
              static_cast<std::uint8_t>(ssrc >> 16),
              static_cast<std::uint8_t>(ssrc >> 8),
              static_cast<std::uint8_t>(ssrc)};
  for (std::uint8_t b : {0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22}) p.push_back(b);  // CSRCs
  for (std::uint8_t b : {0xbe, 0xde, 0x00, 0x01, 0x10, 0x85, 0x00, 0x00}) p.push_back(b);  // ext
  for (std::size_t i = 0; i < payload_bytes; ++i) p.push_back(static_cast<std::uint8_t>(i + seq));
  return p;
}

// A receiver report with one report block (RFC 3550 §6.4.2) from `ssrc`.
Buffer MakeRtcp(std::uint32_t ssrc, std::uint8_t fill) {
  Buffer p = {0x81,
              201,
              0x00,
              0x07,
              static_cast<std::uint8_t>(ssrc >> 24),
              static_cast<std::uint8_t>(ssrc >> 16),
              static_cast<std::uint8_t>(ssrc >> 8),
              static_cast<std::uint8_t>(ssrc)};
  for (int i = 0; i < 24; ++i) p.push_back(static_cast<std::uint8_t>(fill + i));
  return p;
}

// A libsrtp2 session for the GCM profile, keyed like SrtpSession::Create.
struct LibSrtp {
  // `rtcp_encrypted` false makes libsrtp2 send authenticated-only SRTCP (E = 0).
  LibSrtp(bool outbound, const Buffer& key_salt, bool rtcp_encrypted = true) {
    // Debian's libsrtp2 refuses a second srtp_init (status 2), so let SrtpSession's one-time
    // initialisation run it: creating an AES-CM session (a libsrtp2 one) does.
    const Buffer cm_key(SrtpKeySaltBytes(SrtpProfile::kAes128CmHmacSha1_80), 1);
    EXPECT_TRUE(SrtpSession::Create(SrtpProfile::kAes128CmHmacSha1_80,
                                    SrtpSession::Direction::kInbound, cm_key));
    srtp_policy_t policy{};
    srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, srtp_profile_aead_aes_128_gcm);
    srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, srtp_profile_aead_aes_128_gcm);
    if (!rtcp_encrypted) policy.rtcp.sec_serv = sec_serv_auth;
    policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.key = const_cast<unsigned char*>(key_salt.data());
    policy.window_size = 1024;
    EXPECT_EQ(srtp_create(&session, &policy), srtp_err_status_ok);
  }
  ~LibSrtp() { srtp_dealloc(session); }
  LibSrtp(const LibSrtp&) = delete;
  LibSrtp& operator=(const LibSrtp&) = delete;

  Buffer Protect(const Buffer& plain, bool rtcp) {
    Buffer b(kBufferBytes);
    std::copy(plain.begin(), plain.end(), b.begin());
    int len = static_cast<int>(plain.size());
    const auto status =
        rtcp ? srtp_protect_rtcp(session, b.data(), &len) : srtp_protect(session, b.data(), &len);
    EXPECT_EQ(status, srtp_err_status_ok);
    b.resize(status == srtp_err_status_ok ? static_cast<std::size_t>(len) : 0);
    return b;
  }

  // Returns the plaintext, or empty if libsrtp2 refused.
  Buffer Unprotect(Buffer packet, bool rtcp) {
    int len = static_cast<int>(packet.size());
    const auto status = rtcp ? srtp_unprotect_rtcp(session, packet.data(), &len)
                             : srtp_unprotect(session, packet.data(), &len);
    if (status != srtp_err_status_ok) return {};
    packet.resize(static_cast<std::size_t>(len));
    return packet;
  }

  srtp_t session = nullptr;
};

class SrtpGcmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937 rng(11);
    key_.resize(SrtpKeySaltBytes(kGcm));
    for (auto& b : key_) b = static_cast<std::uint8_t>(rng());
    out_ = SrtpSession::Create(kGcm, SrtpSession::Direction::kOutbound, key_);
    in_ = SrtpSession::Create(kGcm, SrtpSession::Direction::kInbound, key_);
    ASSERT_TRUE(out_ && in_);
  }

  Buffer Protect(const Buffer& plain, bool rtcp) {
    Buffer b(kBufferBytes);
    std::copy(plain.begin(), plain.end(), b.begin());
    std::size_t len = plain.size();
    const bool ok = rtcp ? out_->ProtectRtcp(b.data(), &len, b.size())
                         : out_->ProtectRtp(b.data(), &len, b.size());
    EXPECT_TRUE(ok);
    b.resize(ok ? len : 0);
    return b;
  }

  Buffer Unprotect(Buffer packet, bool rtcp) {
    std::size_t len = packet.size();
    const bool ok =
        rtcp ? in_->UnprotectRtcp(packet.data(), &len) : in_->UnprotectRtp(packet.data(), &len);
    if (!ok) return {};
    packet.resize(len);
    return packet;
  }

  Buffer key_;
  std::unique_ptr<SrtpSession> out_;
  std::unique_ptr<SrtpSession> in_;
};

// RFC 3711 Appendix B.3 key derivation test vectors (AES-CM PRF).
TEST(SrtpKdfTest, MatchesRfc3711AppendixB3) {
  const Buffer master_key = FromHex("e1f97a0d3e018be0d64fa32c06de4139");
  const Buffer master_salt = FromHex("0ec675ad498afeebb6960b3aabe6");
  std::array<std::uint8_t, 16> key{};
  std::array<std::uint8_t, 14> salt{};
  ASSERT_TRUE(DeriveSrtpKey(master_key, master_salt, SrtpKdfLabel::kRtpCipherKey, key));
  ASSERT_TRUE(DeriveSrtpKey(master_key, master_salt, SrtpKdfLabel::kRtpSalt, salt));
  EXPECT_EQ(Buffer(key.begin(), key.end()), FromHex("c61e7a93744f39ee10734afe3ff7a087"));
  EXPECT_EQ(Buffer(salt.begin(), salt.end()), FromHex("30cbbc08863d8c85d49db34a9ae1"));
  std::array<std::uint8_t, 17> too_long{};
  EXPECT_FALSE(DeriveSrtpKey(master_key, master_salt, SrtpKdfLabel::kRtpSalt, too_long));
}

TEST(SrtpReplayWindowTest, EstimatesRolloverCounterAroundEachWrap) {
  SrtpReplayWindow window;
  EXPECT_EQ(window.EstimateIndex(60000), 60000u) << "ROC 0 before any packet";
  window.Accept((std::uint64_t{7} << 16) | 65000);  // ROC 7, near the top
  EXPECT_EQ(window.EstimateIndex(10), (std::uint64_t{8} << 16) | 10) << "wrapped: ROC + 1";
  EXPECT_EQ(window.EstimateIndex(64000), (std::uint64_t{7} << 16) | 64000) << "late, same ROC";
  window.Accept((std::uint64_t{8} << 16) | 100);  // ROC 8, near the bottom
  EXPECT_EQ(window.EstimateIndex(65500), (std::uint64_t{7} << 16) | 65500) << "late: ROC - 1";
  EXPECT_EQ(window.EstimateIndex(200), (std::uint64_t{8} << 16) | 200);
}

TEST(SrtpReplayWindowTest, SlidesAndForgetsOnlyWhatLeftTheWindow) {
  SrtpReplayWindow window;
  for (std::uint64_t i = 100; i < 110; ++i) window.Accept(i);
  EXPECT_EQ(window.Check(105), SrtpReplayWindow::Verdict::kReplayed);
  EXPECT_EQ(window.Check(99), SrtpReplayWindow::Verdict::kNew) << "never seen, inside window";
  window.Accept(109 + 1023);  // 100..108 leave the window; 109 stays (1023 behind)
  EXPECT_EQ(window.Check(109), SrtpReplayWindow::Verdict::kReplayed) << "1023 behind: kept";
  EXPECT_EQ(window.Check(108), SrtpReplayWindow::Verdict::kTooOld);
  EXPECT_EQ(window.Check(100 + 1024), SrtpReplayWindow::Verdict::kNew) << "slot of 100 cleared";
  window.Accept(100000);  // a jump past the whole window clears it
  // 99437 shares its bitmap slot with 109, which was set before the jump.
  EXPECT_EQ(window.Check(99437), SrtpReplayWindow::Verdict::kNew);
  EXPECT_EQ(window.Check(100000), SrtpReplayWindow::Verdict::kReplayed);
}

TEST_F(SrtpGcmTest, OursProtectLibSrtpUnprotectsAcrossSequenceWrap) {
  LibSrtp lib_in(false, key_);
  // 65530 .. 65535, 0 .. 9: the ROC goes from 0 to 1 in the middle.
  for (int i = 0; i < 16; ++i) {
    const auto seq = static_cast<std::uint16_t>(65530 + i);
    const Buffer rtp = MakeRtp(seq, 0x01020304, 40 + i);
    const Buffer srtp = Protect(rtp, false);
    ASSERT_EQ(srtp.size(), rtp.size() + 16);
    EXPECT_TRUE(std::equal(rtp.begin(), rtp.begin() + 28, srtp.begin())) << "AAD in clear";
    EXPECT_EQ(lib_in.Unprotect(srtp, false), rtp) << "seq " << seq;
  }
}

TEST_F(SrtpGcmTest, LibSrtpProtectOursUnprotectAcrossSequenceWrapWithLatePacket) {
  LibSrtp lib_out(true, key_);
  std::vector<Buffer> plain, srtp;
  for (int i = 0; i < 16; ++i) {
    plain.push_back(MakeRtp(static_cast<std::uint16_t>(65530 + i), 0xcafe0001, 60));
    srtp.push_back(lib_out.Protect(plain.back(), false));
  }
  // Hold back 65534 (ROC 0) until after the wrap: ROC estimation must pick ROC - 1 for it.
  for (int i = 0; i < 16; ++i) {
    if (i == 4) continue;
    EXPECT_EQ(Unprotect(srtp[i], false), plain[i]) << "packet " << i;
    if (i == 9) EXPECT_EQ(Unprotect(srtp[4], false), plain[4]) << "late packet before the wrap";
  }
  EXPECT_TRUE(Unprotect(srtp[4], false).empty()) << "replayed late packet";
  EXPECT_TRUE(Unprotect(srtp[12], false).empty()) << "replayed packet after the wrap";
  EXPECT_EQ(in_->GetCounters().replays, 2u);
}

TEST_F(SrtpGcmTest, RtcpCrossValidatesBothWays) {
  LibSrtp lib_in(false, key_);
  LibSrtp lib_out(true, key_);
  for (std::uint8_t i = 0; i < 5; ++i) {
    const Buffer rtcp = MakeRtcp(0x0a0b0c0d, i);
    const Buffer ours = Protect(rtcp, true);
    ASSERT_EQ(ours.size(), rtcp.size() + 16 + 4);
    EXPECT_EQ(ours[ours.size() - 4] & 0x80, 0x80) << "E flag set";
    EXPECT_EQ(ours.back(), i) << "SRTCP index counts from 0";
    EXPECT_EQ(lib_in.Unprotect(ours, true), rtcp);
    const Buffer theirs = lib_out.Protect(rtcp, true);
    EXPECT_EQ(Unprotect(theirs, true), rtcp);
    EXPECT_TRUE(Unprotect(theirs, true).empty()) << "SRTCP replay";
  }
  EXPECT_EQ(in_->GetCounters().replays, 5u);
}

TEST_F(SrtpGcmTest, AuthenticatedOnlySrtcpFromLibSrtpIsVerified) {
  LibSrtp lib_out(true, key_, false);
  const Buffer rtcp = MakeRtcp(0x0a0b0c0d, 9);
  const Buffer srtcp = lib_out.Protect(rtcp, true);
  ASSERT_EQ(srtcp.size(), rtcp.size() + 16 + 4);
  EXPECT_EQ(srtcp[srtcp.size() - 4] & 0x80, 0) << "E flag clear";
  EXPECT_TRUE(std::equal(rtcp.begin(), rtcp.end(), srtcp.begin())) << "payload in clear";
  Buffer bad = srtcp;
  bad[12] ^= 0x01;  // the clear payload is authenticated too
  EXPECT_TRUE(Unprotect(bad, true).empty());
  EXPECT_EQ(Unprotect(srtcp, true), rtcp);
  EXPECT_EQ(in_->GetCounters().auth_failures, 1u);
}

TEST_F(SrtpGcmTest, TamperedPacketsFromLibSrtpAreRejected) {
  LibSrtp lib_out(true, key_);
  const Buffer rtp = MakeRtp(77, 5);
  const Buffer srtp = lib_out.Protect(rtp, false);
  // Header (AAD), CSRC, extension, payload, tag.
  for (std::size_t index :
       {std::size_t{1}, std::size_t{14}, std::size_t{26}, std::size_t{40}, srtp.size() - 1}) {
    Buffer bad = srtp;
    bad[index] ^= 0x04;
    EXPECT_TRUE(Unprotect(bad, false).empty()) << "flipped byte " << index;
  }
  const Buffer srtcp = lib_out.Protect(MakeRtcp(5, 1), true);
  for (std::size_t index : {std::size_t{2}, std::size_t{10}, srtcp.size() - 5, srtcp.size() - 1}) {
    Buffer bad = srtcp;
    bad[index] ^= 0x01;
    EXPECT_TRUE(Unprotect(bad, true).empty()) << "flipped SRTCP byte " << index;
  }
  EXPECT_EQ(in_->GetCounters().auth_failures, 9u);
  EXPECT_EQ(Unprotect(srtp, false), rtp) << "the genuine packet still passes";
}

TEST_F(SrtpGcmTest, OutboundRefusesToReuseAnIndex) {
  const Buffer rtp = MakeRtp(9, 1);
  EXPECT_FALSE(Protect(rtp, false).empty());
  Buffer again(kBufferBytes);
  std::copy(rtp.begin(), rtp.end(), again.begin());
  std::size_t len = rtp.size();
  EXPECT_FALSE(out_->ProtectRtp(again.data(), &len, again.size())) << "GCM nonce reuse";
  EXPECT_EQ(out_->GetCounters().replays, 1u);
}

TEST_F(SrtpGcmTest, SsrcTableIsBoundedAndGarbageDoesNotFillIt) {
  // Forged packets of new SSRCs fail authentication and take no table slot.
  for (std::uint32_t ssrc = 1000; ssrc < 1100; ++ssrc) {
    Buffer forged = MakeRtp(1, ssrc);
    forged.resize(forged.size() + 16);
    EXPECT_TRUE(Unprotect(forged, false).empty());
  }
  for (std::uint32_t ssrc = 0; ssrc < SrtpGcm::kMaxSsrcs; ++ssrc) {
    EXPECT_FALSE(Unprotect(Protect(MakeRtp(1, ssrc), false), false).empty()) << ssrc;
  }
  Buffer one_more(kBufferBytes);
  const Buffer rtp = MakeRtp(1, 0xffff);
  std::copy(rtp.begin(), rtp.end(), one_more.begin());
  std::size_t len = rtp.size();
  EXPECT_FALSE(out_->ProtectRtp(one_more.data(), &len, one_more.size()));
  EXPECT_EQ(out_->GetCounters().other_failures, 1u);
  EXPECT_FALSE(Unprotect(Protect(MakeRtp(2, 3), false), false).empty()) << "known SSRCs go on";
}

TEST_F(SrtpGcmTest, PacketPathAllocatesNothingAfterWarmUp) {
  constexpr int kWarmUp = 10, kMeasured = 2000;
  std::array<std::uint8_t, kBufferBytes> buffer{};
  const Buffer rtp = MakeRtp(0, 0x42, 100);
  const Buffer rtcp = MakeRtcp(0x42, 3);
  int failures = 0;
  const auto run = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      std::copy(rtp.begin(), rtp.end(), buffer.begin());
      buffer[2] = static_cast<std::uint8_t>(i >> 8);
      buffer[3] = static_cast<std::uint8_t>(i);
      std::size_t len = rtp.size();
      failures += !out_->ProtectRtp(buffer.data(), &len, buffer.size());
      failures += !in_->UnprotectRtp(buffer.data(), &len);
      std::copy(rtcp.begin(), rtcp.end(), buffer.begin());
      len = rtcp.size();
      failures += !out_->ProtectRtcp(buffer.data(), &len, buffer.size());
      failures += !in_->UnprotectRtcp(buffer.data(), &len);
    }
  };
  run(0, kWarmUp);
  test::g_allocations = 0;
  test::g_c_allocations = 0;
  test::g_counting = true;
  run(kWarmUp, kWarmUp + kMeasured);
  test::g_counting = false;
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(test::g_allocations.load(), 0u) << "operator new on the SRTP path";
  EXPECT_EQ(test::g_c_allocations.load(), 0u) << "malloc (OpenSSL) on the SRTP path";
}

}  // namespace
}  // namespace chorus::rtc
