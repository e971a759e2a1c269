#include "rtc/DtlsTransport.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/srtp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>

namespace chorus::rtc {
namespace {

// RFC 5764 §4.2: the exporter label for DTLS-SRTP keys.
constexpr std::string_view kExporterLabel = "EXTRACTOR-dtls_srtp";

// RFC 7983 §7: a first byte in 20..63 is DTLS.
constexpr std::uint8_t kDtlsFirstByteMin = 20;
constexpr std::uint8_t kDtlsFirstByteMax = 63;

const char* RoleName(DtlsTransport::Role role) {
  return role == DtlsTransport::Role::kServer ? "server" : "client";
}

// The most recent OpenSSL error as text, and clears the queue.
std::string TakeOpenSslError() {
  const unsigned long code = ERR_peek_last_error();
  std::string text;
  if (code != 0) {
    const char* reason = ERR_reason_error_string(code);
    text = reason != nullptr ? reason : "unknown OpenSSL error";
  }
  ERR_clear_error();
  return text;
}

}  // namespace

DtlsTransport::DtlsTransport(const DtlsContext& context, Role role, Listener& listener,
                             DtlsTransportOptions options)
    : role_(role), listener_(listener), options_(options) {
  options_.mtu_bytes = std::max(options_.mtu_bytes, kMinMtuBytes);
  options_.initial_retransmit_timeout =
      std::max(options_.initial_retransmit_timeout, kMinRetransmitTimeout);
  options_.max_retransmit_timeout =
      std::max(options_.max_retransmit_timeout, options_.initial_retransmit_timeout);
  write_bio_ = std::make_unique<DtlsDatagramBio>(options_.mtu_bytes);
  ssl_ = SSL_new(context.SslCtx());
  read_bio_ = BIO_new(BIO_s_mem());
  if (ssl_ == nullptr || read_bio_ == nullptr || !write_bio_->Valid()) {
    spdlog::error("[dtls] create failed role={} error={}", RoleName(role_), TakeOpenSslError());
    if (read_bio_ != nullptr) BIO_free(read_bio_);
    read_bio_ = nullptr;
    state_ = State::kFailed;
    construction_failed_ = true;
    return;
  }
  // An empty read BIO means "no datagram yet" (retry), not end of file.
  BIO_set_mem_eof_return(read_bio_, -1);
  SSL_set_bio(ssl_, read_bio_, write_bio_->NewReference());
  SSL_set_app_data(ssl_, this);
  SSL_set_info_callback(ssl_, &DtlsTransport::InfoCallback);
  DTLS_set_timer_cb(ssl_, &DtlsTransport::TimerCallback);
  DTLS_set_link_mtu(ssl_, static_cast<long>(options_.mtu_bytes));
  // SSL_set_tlsext_use_srtp returns 0 on success.
  if (!options_.srtp_profiles.empty() &&
      SSL_set_tlsext_use_srtp(ssl_, options_.srtp_profiles.c_str()) != 0) {
    spdlog::error("[dtls] bad SRTP profile list role={} profiles={}", RoleName(role_),
                  options_.srtp_profiles);
    ERR_clear_error();
    state_ = State::kFailed;
    construction_failed_ = true;
  }
  if (role_ == Role::kServer) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
  }
}

DtlsTransport::~DtlsTransport() {
  if (ssl_ != nullptr) SSL_free(ssl_);  // frees read_bio_ and its reference to the write BIO
}

bool DtlsTransport::SetRemoteFingerprint(std::string_view algorithm, std::string_view hex) {
  auto bytes = Certificate::ParseFingerprint(hex);
  // The algorithm must be one we can compute and the length must match its digest size.
  const auto digest_bytes = Certificate::DigestBytes(algorithm);
  if (!bytes || !digest_bytes || *digest_bytes != bytes->size()) {
    spdlog::warn("[dtls] bad remote fingerprint role={} algorithm={}", RoleName(role_), algorithm);
    return false;
  }
  remote_algorithm_ = std::string(algorithm);
  remote_fingerprint_ = std::move(*bytes);
  return true;
}

void DtlsTransport::Start() {
  if (construction_failed_) {
    construction_failed_ = false;  // report once
    listener_.OnDtlsFailed("DTLS transport could not be created");
    return;
  }
  if (state_ != State::kNew) return;
  state_ = State::kConnecting;
  if (role_ == Role::kClient) {
    DoHandshake();
    Flush();
  }
}

void DtlsTransport::Feed(std::span<const std::uint8_t> datagram) {
  if (datagram.empty() || datagram.size() > kMaxDatagramBytes || datagram[0] < kDtlsFirstByteMin ||
      datagram[0] > kDtlsFirstByteMax) {
    ++dropped_datagrams_;
    return;
  }
  // A server may hear the ClientHello before its owner called Start().
  if (state_ == State::kNew && role_ == Role::kServer) state_ = State::kConnecting;
  if (state_ != State::kConnecting && state_ != State::kConnected) {
    ++dropped_datagrams_;
    return;
  }
  // One datagram at a time: OpenSSL reads the whole BIO content as one packet.
  (void)BIO_reset(read_bio_);
  if (BIO_write(read_bio_, datagram.data(), static_cast<int>(datagram.size())) <= 0) {
    ERR_clear_error();
    ++dropped_datagrams_;
    return;
  }
  if (state_ == State::kConnecting) {
    DoHandshake();
  } else {
    ReadAfterHandshake();
  }
  Flush();
}

std::optional<std::chrono::milliseconds> DtlsTransport::NextTimeout() const {
  if (ssl_ == nullptr || (state_ != State::kConnecting && state_ != State::kConnected)) {
    return std::nullopt;
  }
  timeval left{};
  if (DTLSv1_get_timeout(ssl_, &left) != 1) return std::nullopt;
  // Round up so the caller does not wake before OpenSSL considers the timer expired.
  const auto micros = std::chrono::seconds(left.tv_sec) + std::chrono::microseconds(left.tv_usec);
  return std::chrono::ceil<std::chrono::milliseconds>(micros);
}

void DtlsTransport::HandleTimeout() {
  if (state_ != State::kConnecting && state_ != State::kConnected) return;
  ERR_clear_error();
  if (DTLSv1_handle_timeout(ssl_) < 0) {
    Flush();
    Fail("DTLS handshake timed out");
    return;
  }
  Flush();
}

void DtlsTransport::Close() {
  if (state_ == State::kConnecting || state_ == State::kConnected) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);
    ERR_clear_error();
    Flush();
  }
  if (state_ != State::kFailed) state_ = State::kClosed;
}

unsigned int DtlsTransport::TimerCallback(SSL* ssl, unsigned int previous_us) {
  const auto* self = static_cast<const DtlsTransport*>(SSL_get_app_data(ssl));
  const auto initial = std::chrono::microseconds(self->options_.initial_retransmit_timeout);
  const auto max = std::chrono::microseconds(self->options_.max_retransmit_timeout);
  if (previous_us == 0) return static_cast<unsigned int>(initial.count());
  const auto doubled = std::chrono::microseconds(2LL * previous_us);
  return static_cast<unsigned int>(std::min(doubled, max).count());
}

void DtlsTransport::InfoCallback(const SSL* ssl, int where, int ret) {
  if ((where & SSL_CB_ALERT) == 0 || (where & SSL_CB_READ) == 0) return;
  auto* self = static_cast<DtlsTransport*>(SSL_get_app_data(ssl));
  self->last_alert_ =
      std::string(SSL_alert_type_string_long(ret)) + " alert " + SSL_alert_desc_string_long(ret);
}

void DtlsTransport::DoHandshake() {
  ERR_clear_error();
  const int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    Flush();  // the server's last flight goes out before keys are announced
    OnHandshakeDone();
    // Anything after the Finished in this datagram (e.g. an alert) is read now.
    if (state_ == State::kConnected) ReadAfterHandshake();
    return;
  }
  HandleSslError(ret, "handshake");
}

void DtlsTransport::ReadAfterHandshake() {
  // Drives OpenSSL after the handshake: it answers retransmitted flights and reports alerts. We
  // carry no application data (no data channel), so any that arrives is discarded.
  for (;;) {
    ERR_clear_error();
    const int ret =
        SSL_read(ssl_, discard_buffer_.data(), static_cast<int>(discard_buffer_.size()));
    if (ret > 0) continue;
    HandleSslError(ret, "read");
    return;
  }
}

void DtlsTransport::HandleSslError(int ret, std::string_view during) {
  const int error = SSL_get_error(ssl_, ret);
  switch (error) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      ERR_clear_error();
      return;
    case SSL_ERROR_ZERO_RETURN:
      ERR_clear_error();
      Fail("peer closed the DTLS connection (close_notify)");
      return;
    default: {
      if (ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_READ_TIMEOUT_EXPIRED) {
        ERR_clear_error();
        Fail("DTLS handshake timed out");  // retransmissions ran out (RFC 6347 §4.2.4)
        return;
      }
      std::string reason = fmt::format("DTLS {} failed", during);
      const std::string ssl_reason = TakeOpenSslError();
      if (!last_alert_.empty()) reason += ": received " + last_alert_;
      if (!ssl_reason.empty()) reason += ": " + ssl_reason;
      Fail(reason);
      return;
    }
  }
}

void DtlsTransport::OnHandshakeDone() {
  if (!RemoteFingerprintMatches()) {
    // Tell the peer we are going away; the failure is reported locally.
    (void)SSL_shutdown(ssl_);
    ERR_clear_error();
    Flush();
    Fail(remote_fingerprint_.empty() ? "remote fingerprint not set before handshake completed"
                                     : "remote certificate does not match the SDP fingerprint");
    return;
  }
  auto keys = ExportKeys();
  if (!keys) {
    (void)SSL_shutdown(ssl_);
    ERR_clear_error();
    Flush();
    Fail("no SRTP profile negotiated or key export failed");
    return;
  }
  state_ = State::kConnected;
  spdlog::debug("[dtls] connected role={} profile={} cipher={}", RoleName(role_),
                SrtpProfileName(keys->profile), SSL_get_cipher_name(ssl_));
  listener_.OnDtlsConnected(*keys);
  OPENSSL_cleanse(keys->local_key_salt.data(), keys->local_key_salt.size());
  OPENSSL_cleanse(keys->remote_key_salt.data(), keys->remote_key_salt.size());
}

bool DtlsTransport::RemoteFingerprintMatches() {
  if (remote_fingerprint_.empty()) return false;
  X509* peer = SSL_get0_peer_certificate(ssl_);
  if (peer == nullptr) return false;
  const auto digest = Certificate::Digest(peer, remote_algorithm_);
  return digest && digest->size() == remote_fingerprint_.size() &&
         CRYPTO_memcmp(digest->data(), remote_fingerprint_.data(), digest->size()) == 0;
}

std::optional<SrtpKeyMaterial> DtlsTransport::ExportKeys() {
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_);
  if (selected == nullptr) return std::nullopt;
  SrtpKeyMaterial keys;
  switch (selected->id) {
    case SRTP_AEAD_AES_128_GCM:
      keys.profile = SrtpProfile::kAeadAes128Gcm;
      break;
    case SRTP_AES128_CM_SHA1_80:
      keys.profile = SrtpProfile::kAes128CmHmacSha1_80;
      break;
    default:
      return std::nullopt;
  }
  const std::size_t key_bytes = SrtpMasterKeyBytes(keys.profile);
  const std::size_t salt_bytes = SrtpMasterSaltBytes(keys.profile);
  // RFC 5764 §4.2: client key | server key | client salt | server salt.
  std::array<std::uint8_t, 2 * (16 + 14)> material{};
  const std::size_t total = 2 * (key_bytes + salt_bytes);
  if (SSL_export_keying_material(ssl_, material.data(), total, kExporterLabel.data(),
                                 kExporterLabel.size(), nullptr, 0, 0) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  const std::uint8_t* client_key = material.data();
  const std::uint8_t* server_key = client_key + key_bytes;
  const std::uint8_t* client_salt = server_key + key_bytes;
  const std::uint8_t* server_salt = client_salt + salt_bytes;
  auto key_salt = [&](const std::uint8_t* key, const std::uint8_t* salt) {
    std::vector<std::uint8_t> out(key, key + key_bytes);
    out.insert(out.end(), salt, salt + salt_bytes);
    return out;
  };
  std::vector<std::uint8_t> client = key_salt(client_key, client_salt);
  std::vector<std::uint8_t> server = key_salt(server_key, server_salt);
  OPENSSL_cleanse(material.data(), material.size());
  // As the server we send with the server's key and receive with the client's; and vice versa.
  if (role_ == Role::kServer) {
    keys.local_key_salt = std::move(server);
    keys.remote_key_salt = std::move(client);
  } else {
    keys.local_key_salt = std::move(client);
    keys.remote_key_salt = std::move(server);
  }
  return keys;
}

void DtlsTransport::Fail(std::string_view reason) {
  if (state_ == State::kFailed || state_ == State::kClosed) return;
  state_ = State::kFailed;
  spdlog::warn("[dtls] failed role={} reason=\"{}\"", RoleName(role_), reason);
  listener_.OnDtlsFailed(reason);
}

void DtlsTransport::Flush() {
  write_bio_->Drain(
      [this](std::span<const std::uint8_t> datagram) { listener_.OnDtlsSendDatagram(datagram); });
}

}  // namespace chorus::rtc
