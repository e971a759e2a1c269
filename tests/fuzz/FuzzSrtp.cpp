// libFuzzer target: SRTP and SRTCP unprotect on both implementations behind SrtpSession —
// SrtpGcm (AEAD_AES_128_GCM on OpenSSL EVP) and libsrtp2 (AES_CM_128_HMAC_SHA1_80) — with
// libsrtp2's own AEAD_AES_128_GCM as a second opinion on SrtpGcm. Keys are fixed; every session
// is fresh per input, so a run depends on its input only.
//
// The first input byte picks the mode, the rest is the packet (or its plaintext):
//   mode % 4 == 0, 1  raw: the bytes as an SRTP packet and as an SRTCP packet to every inbound
//                     session. Both GCM implementations must agree (accept or refuse, and the
//                     same plaintext); an accepted packet shrinks by exactly its trailer.
//   mode % 4 == 2, 3  protect, then mutate: the bytes (after a 3-byte mutation spec: position,
//                     XOR mask) are an RTP (mode & 4 == 0) or RTCP packet, protected with GCM
//                     (mode % 4 == 2; SrtpGcm and libsrtp2 must produce the same SRTP bytes) or
//                     AES-CM (mode % 4 == 3). The protected packet with one byte changed (mask 0:
//                     truncated) must be refused by the peer implementation, and must not disturb
//                     it: the intact packet then unprotects to the original plaintext.
// Any crash, sanitizer report or broken invariant (__builtin_trap) is a bug.
#include <srtp2/srtp.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "rtc/SrtpSession.hpp"

namespace {

using chorus::rtc::SrtpProfile;
using chorus::rtc::SrtpSession;
using Buffer = std::vector<std::uint8_t>;
using Direction = SrtpSession::Direction;

constexpr SrtpProfile kGcm = SrtpProfile::kAeadAes128Gcm;
constexpr SrtpProfile kCm = SrtpProfile::kAes128CmHmacSha1_80;
constexpr std::size_t kMaxPacketBytes = 1500;
constexpr std::size_t kMutationBytes = 3;  // position (16 bits) and XOR mask
constexpr std::size_t kRtpFixedHeaderBytes = 12;
constexpr std::size_t kRtcpHeaderBytes = 8;

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

// Fixed master keys (key || salt), as DTLS-SRTP would export them.
Buffer Key(SrtpProfile profile) {
  Buffer key(chorus::rtc::SrtpKeySaltBytes(profile));
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(0x5a ^ (i * 7));
  return key;
}

const Buffer& GcmKey() {
  static const Buffer key = Key(kGcm);
  return key;
}

const Buffer& CmKey() {
  static const Buffer key = Key(kCm);
  return key;
}

std::unique_ptr<SrtpSession> Session(SrtpProfile profile, Direction direction) {
  auto session = SrtpSession::Create(profile, direction, profile == kGcm ? GcmKey() : CmKey());
  Require(session != nullptr);
  return session;
}

// libsrtp2 keyed for AEAD_AES_128_GCM the way SrtpSession keys its own sessions (one policy
// per direction, 1024-packet replay window): the reference SrtpGcm must agree with.
class LibSrtpGcm {
 public:
  explicit LibSrtpGcm(Direction direction) {
    srtp_policy_t policy{};
    srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, srtp_profile_aead_aes_128_gcm);
    srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, srtp_profile_aead_aes_128_gcm);
    policy.ssrc.type = direction == Direction::kOutbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.key = const_cast<unsigned char*>(GcmKey().data());  // libsrtp2 copies it
    policy.window_size = SrtpSession::kReplayWindowPackets;
    Require(srtp_create(&session_, &policy) == srtp_err_status_ok);
  }
  ~LibSrtpGcm() { srtp_dealloc(session_); }
  LibSrtpGcm(const LibSrtpGcm&) = delete;
  LibSrtpGcm& operator=(const LibSrtpGcm&) = delete;

  bool Protect(std::uint8_t* data, std::size_t* len, bool rtcp) {
    int size = static_cast<int>(*len);
    const bool ok = (rtcp ? srtp_protect_rtcp(session_, data, &size)
                          : srtp_protect(session_, data, &size)) == srtp_err_status_ok;
    if (ok) *len = static_cast<std::size_t>(size);
    return ok;
  }

  bool Unprotect(std::uint8_t* data, std::size_t* len, bool rtcp) {
    int size = static_cast<int>(*len);
    const bool ok = (rtcp ? srtp_unprotect_rtcp(session_, data, &size)
                          : srtp_unprotect(session_, data, &size)) == srtp_err_status_ok;
    if (ok) *len = static_cast<std::size_t>(size);
    return ok;
  }

 private:
  srtp_t session_ = nullptr;
};

// A packet in a buffer with room for any trailer.
struct Packet {
  Buffer bytes;
  std::size_t len = 0;

  explicit Packet(std::span<const std::uint8_t> data)
      : bytes(data.size() + SrtpSession::kMaxRtcpTrailerBytes), len(data.size()) {
    std::copy(data.begin(), data.end(), bytes.begin());
  }
  std::span<const std::uint8_t> View() const { return std::span(bytes).first(len); }
  bool operator==(const Packet& other) const {
    return len == other.len && std::equal(View().begin(), View().end(), other.View().begin());
  }
};

// What AEAD_AES_128_GCM appends: the tag, and for SRTCP also E || SRTCP index (RFC 7714 §9).
std::size_t SrtpGcmTrailer(bool rtcp) {
  using chorus::rtc::SrtpGcm;
  return SrtpGcm::kTagBytes + (rtcp ? SrtpGcm::kSrtcpIndexBytes : 0);
}

bool Unprotect(SrtpSession& session, Packet& p, bool rtcp) {
  return rtcp ? session.UnprotectRtcp(p.bytes.data(), &p.len)
              : session.UnprotectRtp(p.bytes.data(), &p.len);
}

bool Protect(SrtpSession& session, Packet& p, bool rtcp) {
  return rtcp ? session.ProtectRtcp(p.bytes.data(), &p.len, p.bytes.size())
              : session.ProtectRtp(p.bytes.data(), &p.len, p.bytes.size());
}

// Raw mode: the input as SRTP and as SRTCP to fresh inbound sessions of each implementation.
void UnprotectRaw(std::span<const std::uint8_t> input) {
  auto gcm = Session(kGcm, Direction::kInbound);
  auto cm = Session(kCm, Direction::kInbound);
  LibSrtpGcm reference(Direction::kInbound);
  for (const bool rtcp : {false, true}) {
    Packet ours(input);
    Packet theirs(input);
    const bool ours_ok = Unprotect(*gcm, ours, rtcp);
    const bool theirs_ok = reference.Unprotect(theirs.bytes.data(), &theirs.len, rtcp);
    Require(ours_ok == theirs_ok);
    if (ours_ok) {
      Require(ours == theirs);
      const std::size_t trailer = SrtpGcmTrailer(rtcp);
      Require(ours.len + trailer == input.size());
    }
    Packet cm_packet(input);
    if (Unprotect(*cm, cm_packet, rtcp)) Require(cm_packet.len < input.size());
  }
}

// Protect-then-mutate mode for one profile: `plain` is an RTP or RTCP packet.
void ProtectAndMutate(SrtpProfile profile, bool rtcp, std::span<const std::uint8_t> plain,
                      std::uint16_t position, std::uint8_t mask) {
  Packet protected_packet(plain);
  auto out = Session(profile, Direction::kOutbound);
  const bool ok = Protect(*out, protected_packet, rtcp);
  if (profile == kGcm) {
    // Same key, same IV: libsrtp2 must seal RTP to the same bytes. (SRTCP differs by design:
    // libsrtp2 starts its SRTCP index at 1, SrtpGcm at 0.)
    LibSrtpGcm reference_out(Direction::kOutbound);
    Packet theirs(plain);
    const bool theirs_ok = reference_out.Protect(theirs.bytes.data(), &theirs.len, rtcp);
    Require(ok == theirs_ok);
    if (ok && !rtcp) Require(protected_packet == theirs);
  }
  if (!ok) return;
  Require(protected_packet.len > plain.size());

  Packet mutated = protected_packet;
  if (mask == 0) {
    mutated.len -= 1 + position % mutated.len;
  } else {
    mutated.bytes[position % mutated.len] ^= mask;
  }

  // The peer: libsrtp2 for what SrtpGcm sealed, SrtpGcm checked again below.
  if (profile == kGcm) {
    LibSrtpGcm reference_in(Direction::kInbound);
    Packet forged = mutated;
    Require(!reference_in.Unprotect(forged.bytes.data(), &forged.len, rtcp));
    Packet intact = protected_packet;
    Require(reference_in.Unprotect(intact.bytes.data(), &intact.len, rtcp));
    Require(intact.View().size() == plain.size() &&
            std::equal(plain.begin(), plain.end(), intact.View().begin()));
  }
  auto in = Session(profile, Direction::kInbound);
  Packet forged = mutated;
  Require(!Unprotect(*in, forged, rtcp));
  Packet intact = protected_packet;
  Require(Unprotect(*in, intact, rtcp));
  Require(intact.View().size() == plain.size() &&
          std::equal(plain.begin(), plain.end(), intact.View().begin()));
  // A second delivery is a replay.
  Packet again = protected_packet;
  Require(!Unprotect(*in, again, rtcp));
  Require(in->GetCounters().replays == 1);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // libsrtp2 is initialised once, by SrtpSession's first AES-CM session (Debian's libsrtp2
  // refuses a second srtp_init). That session is kept for the whole run: Debian's libsrtp2 opens
  // an NSS context per cipher and NSS shuts down (unloading its softoken) when the last one
  // closes, which would make every input pay for loading NSS again (~5 ms).
  static const auto keep_nss_loaded = Session(kCm, Direction::kInbound);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > kMaxPacketBytes) return 0;
  const std::uint8_t mode = data[0];
  const std::span<const std::uint8_t> body(data + 1, size - 1);
  if (mode % 4 < 2) {
    UnprotectRaw(body);
    return 0;
  }
  if (body.size() < kMutationBytes) return 0;
  const auto position = static_cast<std::uint16_t>((body[0] << 8) | body[1]);
  const std::uint8_t mask = body[2];
  const bool rtcp = (mode & 4) != 0;
  Buffer plain(body.begin() + kMutationBytes, body.end());
  if (rtcp) {
    if (plain.size() < kRtcpHeaderBytes) return 0;
  } else {
    if (plain.size() < kRtpFixedHeaderBytes) return 0;
    plain[0] = static_cast<std::uint8_t>((plain[0] & 0x3f) | 0x80);  // RTP version 2
  }
  ProtectAndMutate(mode % 4 == 2 ? kGcm : kCm, rtcp, plain, position, mask);
  return 0;
}
