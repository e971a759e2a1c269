#include "rtc/DtlsContext.hpp"

#include <openssl/err.h>
#include <spdlog/spdlog.h>

namespace chorus::rtc {
namespace {

// ECDSA certificate, so only ECDSA-authenticated suites can be used; AEAD suites first. The CBC
// suites stay for old peers; all of them are what browsers offer for DTLS 1.2.
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA";

// WebRTC peers present self-signed certificates; they are authenticated by comparing the
// fingerprint from SDP after the handshake (DtlsTransport), so chain validation is skipped here.
int AcceptAnyCertificate(int /*preverify_ok*/, X509_STORE_CTX* /*store*/) {
  return 1;
}

void LogOpenSslError(const char* what) {
  char buf[256];
  ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
  ERR_clear_error();
  spdlog::error("[dtls] context: {} failed: {}", what, buf);
}

}  // namespace

DtlsContext::DtlsContext(Certificate certificate, SSL_CTX* ctx)
    : certificate_(std::move(certificate)), ctx_(ctx) {}

DtlsContext::~DtlsContext() {
  SSL_CTX_free(ctx_);
}

std::shared_ptr<DtlsContext> DtlsContext::Create() {
  auto certificate = Certificate::Generate();
  if (!certificate) return nullptr;

  SSL_CTX* ctx = SSL_CTX_new(DTLS_method());
  if (ctx == nullptr) {
    LogOpenSslError("SSL_CTX_new");
    return nullptr;
  }
  // Owned from here on, so every failure below frees it.
  std::shared_ptr<DtlsContext> context(new DtlsContext(std::move(*certificate), ctx));

  bool ok = SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1;
  ok = ok && SSL_CTX_use_certificate(ctx, context->certificate_.X509Cert()) == 1;
  ok = ok && SSL_CTX_use_PrivateKey(ctx, context->certificate_.PrivateKey()) == 1;
  ok = ok && SSL_CTX_check_private_key(ctx) == 1;
  ok = ok && SSL_CTX_set_cipher_list(ctx, kCipherList) == 1;
  // Note the inverted convention: SSL_CTX_set_tlsext_use_srtp returns 0 on success.
  ok = ok && SSL_CTX_set_tlsext_use_srtp(ctx, kSrtpProfiles) == 0;
  if (!ok) {
    LogOpenSslError("SSL_CTX configuration");
    return nullptr;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &AcceptAnyCertificate);
  // The link MTU is set per connection (DTLS_set_link_mtu); there is no socket to query. Each
  // connection is one call: no session resumption, no tickets, and no renegotiation (WebRTC
  // never renegotiates DTLS; refusing it removes a peer-driven CPU cost).
  SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_read_ahead(ctx, 1);
  return context;
}

}  // namespace chorus::rtc
