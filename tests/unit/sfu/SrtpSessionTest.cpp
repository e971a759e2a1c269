// SrtpSession: SRTP/SRTCP through libsrtp2 for both negotiated profiles.
#include "rtc/SrtpSession.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

namespace chorus::rtc {
namespace {

using Buffer = std::vector<std::uint8_t>;
constexpr std::size_t kBufferBytes = 1500;

// An RTP packet (RFC 3550 §5.1): V=2, PT 111, given seq/ssrc, 80-byte payload.
Buffer MakeRtp(std::uint16_t seq, std::uint32_t ssrc) {
  Buffer p = {0x80,
              111,
              static_cast<std::uint8_t>(seq >> 8),
              static_cast<std::uint8_t>(seq),
              0,
              0,
              0x03,
              0xc0,
              static_cast<std::uint8_t>(ssrc >> 24),
              static_cast<std::uint8_t>(ssrc >> 16),
              static_cast<std::uint8_t>(ssrc >> 8),
              static_cast<std::uint8_t>(ssrc)};
  for (int i = 0; i < 80; ++i) p.push_back(static_cast<std::uint8_t>(i * 7 + seq));
  return p;
}

// An RTCP receiver report with no blocks (RFC 3550 §6.4.2) plus a padding-free SDES-like tail.
Buffer MakeRtcp(std::uint32_t ssrc) {
  return {0x80,
          201,
          0x00,
          0x01,
          static_cast<std::uint8_t>(ssrc >> 24),
          static_cast<std::uint8_t>(ssrc >> 16),
          static_cast<std::uint8_t>(ssrc >> 8),
          static_cast<std::uint8_t>(ssrc)};
}

class SrtpSessionTest : public ::testing::TestWithParam<SrtpProfile> {
 protected:
  void SetUp() override {
    std::mt19937 rng(7);
    key_.resize(SrtpKeySaltBytes(GetParam()));
    for (auto& b : key_) b = static_cast<std::uint8_t>(rng());
    out_ = SrtpSession::Create(GetParam(), SrtpSession::Direction::kOutbound, key_);
    in_ = SrtpSession::Create(GetParam(), SrtpSession::Direction::kInbound, key_);
    ASSERT_TRUE(out_ && in_);
  }

  // Protects `packet` into a kBufferBytes buffer; returns the SRTP packet.
  Buffer Protect(const Buffer& packet, bool rtcp = false) {
    Buffer b(kBufferBytes);
    std::copy(packet.begin(), packet.end(), b.begin());
    std::size_t len = packet.size();
    const bool ok = rtcp ? out_->ProtectRtcp(b.data(), &len, b.size())
                         : out_->ProtectRtp(b.data(), &len, b.size());
    EXPECT_TRUE(ok);
    b.resize(ok ? len : 0);
    return b;
  }

  // Unprotects a copy; returns the plaintext or an empty buffer on failure.
  Buffer Unprotect(Buffer srtp, bool rtcp = false) {
    std::size_t len = srtp.size();
    const bool ok =
        rtcp ? in_->UnprotectRtcp(srtp.data(), &len) : in_->UnprotectRtp(srtp.data(), &len);
    if (!ok) return {};
    srtp.resize(len);
    return srtp;
  }

  std::size_t TagBytes() const { return GetParam() == SrtpProfile::kAeadAes128Gcm ? 16 : 10; }

  Buffer key_;
  std::unique_ptr<SrtpSession> out_;
  std::unique_ptr<SrtpSession> in_;
};

TEST_P(SrtpSessionTest, RtpRoundTripEncryptsPayload) {
  const Buffer rtp = MakeRtp(1, 0x11223344);
  const Buffer srtp = Protect(rtp);
  ASSERT_EQ(srtp.size(), rtp.size() + TagBytes());
  EXPECT_TRUE(std::equal(rtp.begin(), rtp.begin() + 12, srtp.begin()));      // header in clear
  EXPECT_FALSE(std::equal(rtp.begin() + 12, rtp.end(), srtp.begin() + 12));  // payload not
  EXPECT_EQ(Unprotect(srtp), rtp);
}

TEST_P(SrtpSessionTest, RtcpRoundTrip) {
  const Buffer rtcp = MakeRtcp(0x55667788);
  const Buffer srtcp = Protect(rtcp, true);
  ASSERT_EQ(srtcp.size(), rtcp.size() + 4 + TagBytes());  // E flag + index, then the tag
  EXPECT_EQ(Unprotect(srtcp, true), rtcp);
}

TEST_P(SrtpSessionTest, TamperedPacketsAreRejected) {
  const Buffer srtp = Protect(MakeRtp(10, 1));
  for (std::size_t index : {std::size_t{3}, std::size_t{20}, srtp.size() - 1}) {
    Buffer bad = srtp;
    bad[index] ^= 0x01;
    EXPECT_TRUE(Unprotect(bad).empty()) << "flipped byte " << index;
  }
  Buffer srtcp = Protect(MakeRtcp(1), true);
  srtcp[5] ^= 0x80;
  EXPECT_TRUE(Unprotect(srtcp, true).empty());
  EXPECT_EQ(in_->GetCounters().auth_failures, 4u);
  // The untouched packet still passes afterwards.
  EXPECT_FALSE(Unprotect(srtp).empty());
}

TEST_P(SrtpSessionTest, ReplaysAreRejected) {
  const Buffer srtp = Protect(MakeRtp(100, 1));
  EXPECT_FALSE(Unprotect(srtp).empty());
  EXPECT_TRUE(Unprotect(srtp).empty());
  const Buffer srtcp = Protect(MakeRtcp(1), true);
  EXPECT_FALSE(Unprotect(srtcp, true).empty());
  EXPECT_TRUE(Unprotect(srtcp, true).empty());
  EXPECT_EQ(in_->GetCounters().replays, 2u);
}

TEST_P(SrtpSessionTest, ReplayWindowAcceptsLateWithin1024AndRejectsOlder) {
  const Buffer oldest = Protect(MakeRtp(1000, 1));
  const Buffer late = Protect(MakeRtp(1100, 1));
  const Buffer newest = Protect(MakeRtp(2050, 1));
  EXPECT_FALSE(Unprotect(newest).empty());
  EXPECT_FALSE(Unprotect(late).empty()) << "950 behind must fit a 1024-packet window";
  EXPECT_TRUE(Unprotect(oldest).empty()) << "1050 behind is outside the window";
}

TEST_P(SrtpSessionTest, OneSessionServesManySsrcs) {
  for (std::uint32_t ssrc : {1u, 2u, 0xdeadbeefu}) {
    const Buffer rtp = MakeRtp(5, ssrc);
    EXPECT_EQ(Unprotect(Protect(rtp)), rtp) << "ssrc " << ssrc;
  }
}

TEST_P(SrtpSessionTest, WrongKeyFailsAuthentication) {
  Buffer other_key = key_;
  other_key[0] ^= 0xff;
  auto other_in = SrtpSession::Create(GetParam(), SrtpSession::Direction::kInbound, other_key);
  ASSERT_TRUE(other_in);
  Buffer srtp = Protect(MakeRtp(1, 1));
  std::size_t len = srtp.size();
  EXPECT_FALSE(other_in->UnprotectRtp(srtp.data(), &len));
  EXPECT_EQ(other_in->GetCounters().auth_failures, 1u);
}

TEST_P(SrtpSessionTest, MisuseAndGarbageAreRefusedWithoutWriting) {
  EXPECT_EQ(SrtpSession::Create(GetParam(), SrtpSession::Direction::kInbound,
                                std::span<const std::uint8_t>(key_.data(), key_.size() - 1)),
            nullptr);
  Buffer b(kBufferBytes);
  const Buffer rtp = MakeRtp(1, 1);
  std::copy(rtp.begin(), rtp.end(), b.begin());
  std::size_t len = rtp.size();
  // Not enough room for libsrtp2's trailer contract: refused, packet untouched.
  EXPECT_FALSE(out_->ProtectRtp(b.data(), &len, rtp.size() + 10));
  EXPECT_EQ(len, rtp.size());
  EXPECT_TRUE(std::equal(rtp.begin(), rtp.end(), b.begin()));
  // Wrong direction.
  EXPECT_FALSE(in_->ProtectRtp(b.data(), &len, b.size()));
  EXPECT_FALSE(out_->UnprotectRtp(b.data(), &len));
  // Garbage of every short length.
  std::mt19937 rng(3);
  for (std::size_t n = 0; n < 64; ++n) {
    Buffer g(n);
    for (auto& x : g) x = static_cast<std::uint8_t>(rng());
    if (n > 0) g[0] = 0x80;
    std::size_t glen = g.size();
    EXPECT_FALSE(in_->UnprotectRtp(g.data(), &glen));
    glen = g.size();
    EXPECT_FALSE(in_->UnprotectRtcp(g.data(), &glen));
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpSessionTest,
                         ::testing::Values(SrtpProfile::kAeadAes128Gcm,
                                           SrtpProfile::kAes128CmHmacSha1_80),
                         [](const auto& info) {
                           return info.param == SrtpProfile::kAeadAes128Gcm ? "AeadAes128Gcm"
                                                                            : "Aes128CmSha1_80";
                         });

}  // namespace
}  // namespace chorus::rtc
