// A self-signed ECDSA P-256 certificate and its private key, generated in memory. WebRTC
// authenticates DTLS peers by the certificate fingerprint carried in SDP (RFC 8122 §5,
// RFC 8827 §6.5), not by a CA chain, so a fresh self-signed certificate per process is enough.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::rtc {

// Immutable after construction; safe to share between threads.
class Certificate {
 public:
  // Generates a new P-256 key and a self-signed certificate for `common_name`, valid from one day
  // ago for kValidity. Returns nullopt if OpenSSL fails (logged).
  static std::optional<Certificate> Generate(std::string_view common_name = "chorus");

  Certificate(Certificate&&) noexcept = default;
  Certificate& operator=(Certificate&&) noexcept = default;

  // Borrowed OpenSSL handles, owned by this object.
  X509* X509Cert() const { return cert_.get(); }
  EVP_PKEY* PrivateKey() const { return key_.get(); }

  // SHA-256 fingerprint as SDP writes it: uppercase hex pairs joined by ':' (RFC 8122 §5).
  const std::string& FingerprintSha256() const { return fingerprint_sha256_; }

  // Digest of `cert` (DER) with the SDP hash function `algorithm` ("sha-256", "sha-1", "sha-384",
  // "sha-512", "sha-224"; case-insensitive). Returns nullopt for an unknown algorithm.
  static std::optional<std::vector<std::uint8_t>> Digest(X509* cert, std::string_view algorithm);

  // Size in bytes of the digest for SDP hash function `algorithm`, nullopt if unknown.
  static std::optional<std::size_t> DigestBytes(std::string_view algorithm);

  // Formats bytes as "AB:CD:..." (uppercase hex, colon separated).
  static std::string FormatFingerprint(const std::vector<std::uint8_t>& digest);

  // Parses "ab:CD:..." into bytes. Returns nullopt if malformed.
  static std::optional<std::vector<std::uint8_t>> ParseFingerprint(std::string_view hex);

 private:
  struct X509Deleter {
    void operator()(X509* x) const { X509_free(x); }
  };
  struct PkeyDeleter {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  };

  Certificate(std::unique_ptr<X509, X509Deleter> cert, std::unique_ptr<EVP_PKEY, PkeyDeleter> key,
              std::string fingerprint);

  std::unique_ptr<X509, X509Deleter> cert_;
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key_;
  std::string fingerprint_sha256_;
};

}  // namespace chorus::rtc
