#include "rtc/SrtpGcm.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <optional>

#include "rtc/SrtpKdf.hpp"

namespace chorus::rtc {
namespace {

constexpr std::size_t kIvBytes = 12;
constexpr std::size_t kRtpFixedHeaderBytes = 12;
constexpr std::size_t kRtcpHeaderBytes = 8;  // first 8 octets, in clear (RFC 7714 §9)
constexpr std::uint32_t kSrtcpEncryptedFlag = 0x80000000u;
constexpr std::uint32_t kMaxSrtcpIndex = 0x7fffffffu;
using Iv = std::array<std::uint8_t, kIvBytes>;

std::uint32_t ReadU32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

void WriteU32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

// Length of the RTP header including CSRCs and the header extension (RFC 3550 §5.1, §5.3.1),
// which is the AAD (RFC 7714 §8.2); nullopt if it does not fit in `len` or V != 2.
std::optional<std::size_t> RtpHeaderBytes(const std::uint8_t* data, std::size_t len) {
  if (len < kRtpFixedHeaderBytes || (data[0] >> 6) != 2) return std::nullopt;
  std::size_t bytes = kRtpFixedHeaderBytes + 4 * std::size_t{data[0] & 0x0fu};
  if ((data[0] & 0x10u) != 0) {
    if (len < bytes + 4) return std::nullopt;
    bytes += 4 + 4 * ((std::size_t{data[bytes + 2]} << 8) | data[bytes + 3]);
  }
  if (bytes > len) return std::nullopt;
  return bytes;
}

// RTP IV (RFC 7714 §8.1): salt XOR (0x0000 || SSRC || ROC || SEQ).
Iv RtpIv(const std::array<std::uint8_t, kIvBytes>& salt, std::uint32_t ssrc, std::uint64_t index) {
  Iv iv{};
  WriteU32(&iv[2], ssrc);
  WriteU32(&iv[6], static_cast<std::uint32_t>(index >> 16));
  iv[10] = static_cast<std::uint8_t>(index >> 8);
  iv[11] = static_cast<std::uint8_t>(index);
  for (std::size_t i = 0; i < kIvBytes; ++i) iv[i] ^= salt[i];
  return iv;
}

// RTCP IV (RFC 7714 §9.1): salt XOR (0x0000 || SSRC || 0x0000 || 0 || SRTCP index).
Iv RtcpIv(const std::array<std::uint8_t, kIvBytes>& salt, std::uint32_t ssrc, std::uint32_t index) {
  Iv iv{};
  WriteU32(&iv[2], ssrc);
  WriteU32(&iv[8], index & kMaxSrtcpIndex);
  for (std::size_t i = 0; i < kIvBytes; ++i) iv[i] ^= salt[i];
  return iv;
}

// A GCM context keyed once; per-packet inits pass only the IV.
EVP_CIPHER_CTX* NewGcmContext(bool encrypt, const std::uint8_t* key) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return nullptr;
  const int ok = encrypt ? EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, key, nullptr)
                         : EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, key, nullptr);
  if (ok != 1 || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, kIvBytes, nullptr) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

}  // namespace

SrtpGcm::SrtpGcm(bool outbound) : outbound_(outbound) {}

SrtpGcm::~SrtpGcm() {
  EVP_CIPHER_CTX_free(rtp_ctx_);
  EVP_CIPHER_CTX_free(rtcp_ctx_);
  OPENSSL_cleanse(rtp_salt_.data(), rtp_salt_.size());
  OPENSSL_cleanse(rtcp_salt_.data(), rtcp_salt_.size());
}

std::unique_ptr<SrtpGcm> SrtpGcm::Create(bool outbound, std::span<const std::uint8_t> key_salt) {
  if (key_salt.size() != kMasterKeyBytes + kMasterSaltBytes) return nullptr;
  const auto master_key = key_salt.first(kMasterKeyBytes);
  const auto master_salt = key_salt.subspan(kMasterKeyBytes);
  std::unique_ptr<SrtpGcm> gcm(new SrtpGcm(outbound));
  std::array<std::uint8_t, 16> rtp_key{};
  std::array<std::uint8_t, 16> rtcp_key{};
  bool ok = DeriveSrtpKey(master_key, master_salt, SrtpKdfLabel::kRtpCipherKey, rtp_key) &&
            DeriveSrtpKey(master_key, master_salt, SrtpKdfLabel::kRtpSalt, gcm->rtp_salt_) &&
            DeriveSrtpKey(master_key, master_salt, SrtpKdfLabel::kRtcpCipherKey, rtcp_key) &&
            DeriveSrtpKey(master_key, master_salt, SrtpKdfLabel::kRtcpSalt, gcm->rtcp_salt_);
  if (ok) {
    gcm->rtp_ctx_ = NewGcmContext(outbound, rtp_key.data());
    gcm->rtcp_ctx_ = NewGcmContext(outbound, rtcp_key.data());
    ok = gcm->rtp_ctx_ != nullptr && gcm->rtcp_ctx_ != nullptr;
  }
  OPENSSL_cleanse(rtp_key.data(), rtp_key.size());
  OPENSSL_cleanse(rtcp_key.data(), rtcp_key.size());
  return ok ? std::move(gcm) : nullptr;
}

SrtpGcm::Stream* SrtpGcm::Find(std::uint32_t ssrc) {
  for (std::size_t i = 0; i < stream_count_; ++i) {
    if (streams_[i].ssrc == ssrc) return &streams_[i];
  }
  return nullptr;
}

SrtpGcm::Stream* SrtpGcm::FindOrAdd(std::uint32_t ssrc) {
  if (Stream* found = Find(ssrc)) return found;
  if (stream_count_ == kMaxSsrcs) return nullptr;
  Stream& added = streams_[stream_count_++];
  added = Stream{};
  added.ssrc = ssrc;
  return &added;
}

bool SrtpGcm::Seal(EVP_CIPHER_CTX* ctx, const std::uint8_t* iv, const std::uint8_t* aad,
                   std::size_t aad_len, const std::uint8_t* aad2, std::size_t aad2_len,
                   std::uint8_t* text, std::size_t text_len, std::uint8_t* tag) {
  int out = 0;
  if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv) != 1 ||
      EVP_EncryptUpdate(ctx, nullptr, &out, aad, static_cast<int>(aad_len)) != 1 ||
      (aad2_len > 0 &&
       EVP_EncryptUpdate(ctx, nullptr, &out, aad2, static_cast<int>(aad2_len)) != 1) ||
      (text_len > 0 && EVP_EncryptUpdate(ctx, text, &out, text, static_cast<int>(text_len)) != 1) ||
      EVP_EncryptFinal_ex(ctx, text + text_len, &out) != 1) {
    return false;
  }
  return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) == 1;
}

bool SrtpGcm::Open(EVP_CIPHER_CTX* ctx, const std::uint8_t* iv, const std::uint8_t* aad,
                   std::size_t aad_len, const std::uint8_t* aad2, std::size_t aad2_len,
                   std::uint8_t* text, std::size_t text_len, const std::uint8_t* tag) {
  int out = 0;
  // OpenSSL only reads the expected tag; the cast is its API's.
  return EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, iv) == 1 &&
         EVP_DecryptUpdate(ctx, nullptr, &out, aad, static_cast<int>(aad_len)) == 1 &&
         (aad2_len == 0 ||
          EVP_DecryptUpdate(ctx, nullptr, &out, aad2, static_cast<int>(aad2_len)) == 1) &&
         (text_len == 0 ||
          EVP_DecryptUpdate(ctx, text, &out, text, static_cast<int>(text_len)) == 1) &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes,
                             const_cast<std::uint8_t*>(tag)) == 1 &&
         EVP_DecryptFinal_ex(ctx, text + text_len, &out) == 1;
}

SrtpGcm::Status SrtpGcm::ProtectRtp(std::uint8_t* data, std::size_t* len) {
  const auto header = RtpHeaderBytes(data, *len);
  if (!outbound_ || !header) return Status::kOther;
  Stream* stream = FindOrAdd(ReadU32(data + 8));
  if (stream == nullptr) return Status::kOther;
  const std::uint16_t seq = static_cast<std::uint16_t>((data[2] << 8) | data[3]);
  const std::uint64_t index = stream->rtp.EstimateIndex(seq);
  // Reusing an index would reuse the GCM nonce (RFC 7714 §8.1): refuse, as libsrtp2 does.
  if (stream->rtp.Check(index) != SrtpReplayWindow::Verdict::kNew) return Status::kReplay;
  const Iv iv = RtpIv(rtp_salt_, stream->ssrc, index);
  if (!Seal(rtp_ctx_, iv.data(), data, *header, nullptr, 0, data + *header, *len - *header,
            data + *len)) {
    return Status::kOther;
  }
  stream->rtp.Accept(index);
  *len += kTagBytes;
  return Status::kOk;
}

SrtpGcm::Status SrtpGcm::UnprotectRtp(std::uint8_t* data, std::size_t* len) {
  const auto header = RtpHeaderBytes(data, *len);
  if (outbound_ || !header || *len < *header + kTagBytes) return Status::kOther;
  const std::uint32_t ssrc = ReadU32(data + 8);
  Stream* stream = Find(ssrc);
  // A new SSRC is added only once a packet of it authenticates, so garbage cannot fill the table.
  if (stream == nullptr && stream_count_ == kMaxSsrcs) return Status::kOther;
  const SrtpReplayWindow fresh;
  const SrtpReplayWindow& window = stream != nullptr ? stream->rtp : fresh;
  const std::uint16_t seq = static_cast<std::uint16_t>((data[2] << 8) | data[3]);
  const std::uint64_t index = window.EstimateIndex(seq);
  if (window.Check(index) != SrtpReplayWindow::Verdict::kNew) return Status::kReplay;
  const std::size_t text_len = *len - *header - kTagBytes;
  const Iv iv = RtpIv(rtp_salt_, ssrc, index);
  if (!Open(rtp_ctx_, iv.data(), data, *header, nullptr, 0, data + *header, text_len,
            data + *header + text_len)) {
    return Status::kAuthFailure;
  }
  if (stream == nullptr) stream = FindOrAdd(ssrc);
  stream->rtp.Accept(index);
  *len -= kTagBytes;
  return Status::kOk;
}

SrtpGcm::Status SrtpGcm::ProtectRtcp(std::uint8_t* data, std::size_t* len) {
  if (!outbound_ || *len < kRtcpHeaderBytes) return Status::kOther;
  Stream* stream = FindOrAdd(ReadU32(data + 4));
  if (stream == nullptr || stream->next_rtcp_index > kMaxSrtcpIndex) return Status::kOther;
  const std::uint32_t index = stream->next_rtcp_index;
  std::array<std::uint8_t, kSrtcpIndexBytes> e_index{};
  WriteU32(e_index.data(), kSrtcpEncryptedFlag | index);
  const Iv iv = RtcpIv(rtcp_salt_, stream->ssrc, index);
  // AAD: the first 8 octets, then E || SRTCP index (RFC 7714 §9.2).
  if (!Seal(rtcp_ctx_, iv.data(), data, kRtcpHeaderBytes, e_index.data(), e_index.size(),
            data + kRtcpHeaderBytes, *len - kRtcpHeaderBytes, data + *len)) {
    return Status::kOther;
  }
  ++stream->next_rtcp_index;
  std::copy(e_index.begin(), e_index.end(), data + *len + kTagBytes);
  *len += kTagBytes + kSrtcpIndexBytes;
  return Status::kOk;
}

SrtpGcm::Status SrtpGcm::UnprotectRtcp(std::uint8_t* data, std::size_t* len) {
  if (outbound_ || *len < kRtcpHeaderBytes + kTagBytes + kSrtcpIndexBytes) return Status::kOther;
  const std::uint32_t ssrc = ReadU32(data + 4);
  Stream* stream = Find(ssrc);
  if (stream == nullptr && stream_count_ == kMaxSsrcs) return Status::kOther;
  const std::uint8_t* e_index = data + *len - kSrtcpIndexBytes;
  const std::uint32_t word = ReadU32(e_index);
  const std::uint32_t index = word & kMaxSrtcpIndex;
  const SrtpReplayWindow fresh;
  const SrtpReplayWindow& window = stream != nullptr ? stream->rtcp : fresh;
  if (window.Check(index) != SrtpReplayWindow::Verdict::kNew) return Status::kReplay;
  const std::size_t body = *len - kTagBytes - kSrtcpIndexBytes;  // header + payload
  const std::uint8_t* tag = data + body;
  const Iv iv = RtcpIv(rtcp_salt_, ssrc, index);
  const bool ok =
      (word & kSrtcpEncryptedFlag) != 0
          ? Open(rtcp_ctx_, iv.data(), data, kRtcpHeaderBytes, e_index, kSrtcpIndexBytes,
                 data + kRtcpHeaderBytes, body - kRtcpHeaderBytes, tag)
          // E = 0: the whole packet is authenticated, nothing encrypted (RFC 7714 §9.3).
          : Open(rtcp_ctx_, iv.data(), data, body, e_index, kSrtcpIndexBytes, data + body, 0, tag);
  if (!ok) return Status::kAuthFailure;
  if (stream == nullptr) stream = FindOrAdd(ssrc);
  stream->rtcp.Accept(index);
  *len = body;
  return Status::kOk;
}

}  // namespace chorus::rtc
