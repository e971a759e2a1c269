// The process-wide DTLS configuration: one ECDSA certificate and one OpenSSL SSL_CTX shared by
// every DtlsTransport, in both roles (the SFU is the DTLS server, the C++ test peer the client).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "rtc/Certificate.hpp"

namespace chorus::rtc {

// Thread affinity: immutable after Create(); SSL_new on the shared SSL_CTX is thread-safe, so
// transports on any worker thread may share one context.
class DtlsContext {
 public:
  // SRTP profiles offered/accepted in preference order (RFC 5764 §4.1.2): GCM first because it
  // costs less per packet (DESIGN.md "Media pitfalls").
  static constexpr const char* kSrtpProfiles = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";

  // Generates the certificate and builds the SSL_CTX (DTLS 1.2 only, SRTP profiles, peer
  // certificate required but checked by fingerprint). Returns nullptr if OpenSSL fails (logged).
  static std::shared_ptr<DtlsContext> Create();

  ~DtlsContext();
  DtlsContext(const DtlsContext&) = delete;
  DtlsContext& operator=(const DtlsContext&) = delete;

  // SHA-256 fingerprint of our certificate as the SDP a=fingerprint line wants: "AB:CD:...".
  std::string FingerprintSha256() const { return certificate_.FingerprintSha256(); }

  const Certificate& GetCertificate() const { return certificate_; }

  // The shared SSL_CTX, for DtlsTransport.
  SSL_CTX* SslCtx() const { return ctx_; }

 private:
  DtlsContext(Certificate certificate, SSL_CTX* ctx);

  Certificate certificate_;
  SSL_CTX* ctx_;
};

}  // namespace chorus::rtc
