#include "rtc/SrtpSession.hpp"

#include <spdlog/spdlog.h>
#include <srtp2/srtp.h>

#include <climits>
#include <mutex>

namespace chorus::rtc {
namespace {

static_assert(SrtpSession::kMaxRtpTrailerBytes == SRTP_MAX_TRAILER_LEN);
static_assert(SrtpSession::kMaxRtcpTrailerBytes == SRTP_MAX_TRAILER_LEN + 4);

// libsrtp2 must be initialised once per process before any session exists.
bool InitLibSrtp() {
  static std::once_flag once;
  static srtp_err_status_t status = srtp_err_status_fail;
  std::call_once(once, [] { status = srtp_init(); });
  if (status != srtp_err_status_ok) {
    spdlog::error("[srtp] srtp_init failed status={}", static_cast<int>(status));
    return false;
  }
  return true;
}

srtp_profile_t ToLibSrtp(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? srtp_profile_aead_aes_128_gcm
                                                : srtp_profile_aes128_cm_sha1_80;
}

}  // namespace

SrtpSession::SrtpSession(SrtpProfile profile, Direction direction, srtp_ctx_t_* session,
                         std::unique_ptr<SrtpGcm> gcm)
    : profile_(profile), direction_(direction), session_(session), gcm_(std::move(gcm)) {}

SrtpSession::~SrtpSession() {
  if (session_ != nullptr) srtp_dealloc(session_);
}

std::unique_ptr<SrtpSession> SrtpSession::Create(SrtpProfile profile, Direction direction,
                                                 std::span<const std::uint8_t> key_salt) {
  if (key_salt.size() != SrtpKeySaltBytes(profile)) {
    spdlog::error("[srtp] wrong key size profile={} bytes={}", SrtpProfileName(profile),
                  key_salt.size());
    return nullptr;
  }
  if (profile == SrtpProfile::kAeadAes128Gcm) {
    auto gcm = SrtpGcm::Create(direction == Direction::kOutbound, key_salt);
    if (!gcm) {
      spdlog::error("[srtp] OpenSSL AES-128-GCM setup failed");
      return nullptr;
    }
    return std::unique_ptr<SrtpSession>(
        new SrtpSession(profile, direction, nullptr, std::move(gcm)));
  }
  if (!InitLibSrtp()) return nullptr;

  srtp_policy_t policy{};
  if (srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, ToLibSrtp(profile)) !=
          srtp_err_status_ok ||
      srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, ToLibSrtp(profile)) !=
          srtp_err_status_ok) {
    spdlog::error("[srtp] profile unsupported by libsrtp2 profile={}", SrtpProfileName(profile));
    return nullptr;
  }
  // One policy for every SSRC in this direction (RFC 5764 §4.1: one key per direction).
  policy.ssrc.type = direction == Direction::kOutbound ? ssrc_any_outbound : ssrc_any_inbound;
  policy.ssrc.value = 0;
  // libsrtp2 copies the key while creating the session; it never writes through this pointer.
  policy.key = const_cast<unsigned char*>(key_salt.data());
  policy.window_size = kReplayWindowPackets;
  policy.allow_repeat_tx = 0;  // an SFU never resends a packet with the same index
  policy.next = nullptr;

  srtp_t session = nullptr;
  const srtp_err_status_t status = srtp_create(&session, &policy);
  if (status != srtp_err_status_ok) {
    spdlog::error("[srtp] srtp_create failed status={}", static_cast<int>(status));
    return nullptr;
  }
  return std::unique_ptr<SrtpSession>(new SrtpSession(profile, direction, session, nullptr));
}

bool SrtpSession::ProtectRtp(std::uint8_t* data, std::size_t* len, std::size_t capacity) {
  if (direction_ != Direction::kOutbound || data == nullptr || len == nullptr ||
      *len > INT_MAX - kMaxRtpTrailerBytes || capacity < *len + kMaxRtpTrailerBytes) {
    ++counters_.other_failures;
    return false;
  }
  if (gcm_) return Count(gcm_->ProtectRtp(data, len));
  int size = static_cast<int>(*len);
  if (!Count(srtp_protect(session_, data, &size))) return false;
  *len = static_cast<std::size_t>(size);
  return true;
}

bool SrtpSession::UnprotectRtp(std::uint8_t* data, std::size_t* len) {
  if (direction_ != Direction::kInbound || data == nullptr || len == nullptr || *len > INT_MAX) {
    ++counters_.other_failures;
    return false;
  }
  if (gcm_) return Count(gcm_->UnprotectRtp(data, len));
  int size = static_cast<int>(*len);
  if (!Count(srtp_unprotect(session_, data, &size))) return false;
  *len = static_cast<std::size_t>(size);
  return true;
}

bool SrtpSession::ProtectRtcp(std::uint8_t* data, std::size_t* len, std::size_t capacity) {
  if (direction_ != Direction::kOutbound || data == nullptr || len == nullptr ||
      *len > INT_MAX - kMaxRtcpTrailerBytes || capacity < *len + kMaxRtcpTrailerBytes) {
    ++counters_.other_failures;
    return false;
  }
  if (gcm_) return Count(gcm_->ProtectRtcp(data, len));
  int size = static_cast<int>(*len);
  if (!Count(srtp_protect_rtcp(session_, data, &size))) return false;
  *len = static_cast<std::size_t>(size);
  return true;
}

bool SrtpSession::UnprotectRtcp(std::uint8_t* data, std::size_t* len) {
  if (direction_ != Direction::kInbound || data == nullptr || len == nullptr || *len > INT_MAX) {
    ++counters_.other_failures;
    return false;
  }
  if (gcm_) return Count(gcm_->UnprotectRtcp(data, len));
  int size = static_cast<int>(*len);
  if (!Count(srtp_unprotect_rtcp(session_, data, &size))) return false;
  *len = static_cast<std::size_t>(size);
  return true;
}

bool SrtpSession::Count(SrtpGcm::Status status) {
  switch (status) {
    case SrtpGcm::Status::kOk:
      return true;
    case SrtpGcm::Status::kAuthFailure:
      ++counters_.auth_failures;
      return false;
    case SrtpGcm::Status::kReplay:
      ++counters_.replays;
      return false;
    case SrtpGcm::Status::kOther:
      break;
  }
  ++counters_.other_failures;
  return false;
}

bool SrtpSession::Count(int status) {
  switch (status) {
    case srtp_err_status_ok:
      return true;
    case srtp_err_status_auth_fail:
      ++counters_.auth_failures;
      return false;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
      ++counters_.replays;
      return false;
    default:
      ++counters_.other_failures;
      return false;
  }
}

}  // namespace chorus::rtc
