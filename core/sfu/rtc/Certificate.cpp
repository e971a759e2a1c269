#include "rtc/Certificate.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace chorus::rtc {
namespace {

using namespace std::chrono_literals;

// Browsers accept any validity; a month outlives any process restart cycle we expect, and the
// certificate is regenerated at every start anyway.
constexpr auto kValidity = std::chrono::hours(24 * 30);
constexpr auto kBackdate = std::chrono::hours(24);  // tolerate peers with a skewed clock
constexpr int kSerialBits = 63;

// Maps SDP hash function names (RFC 8122 §5, IANA "Hash Function Textual Names") to OpenSSL.
const EVP_MD* DigestByName(std::string_view algorithm) {
  std::string lower(algorithm);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "sha-256") return EVP_sha256();
  if (lower == "sha-1") return EVP_sha1();
  if (lower == "sha-384") return EVP_sha384();
  if (lower == "sha-512") return EVP_sha512();
  if (lower == "sha-224") return EVP_sha224();
  return nullptr;
}

void LogOpenSslError(std::string_view what) {
  char buf[256];
  ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
  ERR_clear_error();
  spdlog::error("[dtls] certificate: {} failed: {}", what, buf);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Certificate::Certificate(std::unique_ptr<X509, X509Deleter> cert,
                         std::unique_ptr<EVP_PKEY, PkeyDeleter> key, std::string fingerprint)
    : cert_(std::move(cert)), key_(std::move(key)), fingerprint_sha256_(std::move(fingerprint)) {}

std::optional<Certificate> Certificate::Generate(std::string_view common_name) {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_EC_gen("P-256"));
  if (!key) {
    LogOpenSslError("EVP_EC_gen");
    return std::nullopt;
  }
  std::unique_ptr<X509, X509Deleter> cert(X509_new());
  if (!cert) {
    LogOpenSslError("X509_new");
    return std::nullopt;
  }
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial_bn(BN_new(), &BN_free);
  bool ok = serial_bn && BN_rand(serial_bn.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  ok = ok && X509_set_version(cert.get(), X509_VERSION_3);
  ok = ok && BN_to_ASN1_INTEGER(serial_bn.get(), X509_get_serialNumber(cert.get())) != nullptr;
  const long backdate_s = std::chrono::duration_cast<std::chrono::seconds>(kBackdate).count();
  const long validity_s = std::chrono::duration_cast<std::chrono::seconds>(kValidity).count();
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert.get()), -backdate_s) != nullptr;
  ok = ok && X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity_s) != nullptr;
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn(common_name);
  ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                        reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                        0) == 1;
  ok = ok && X509_set_issuer_name(cert.get(), name) == 1;
  ok = ok && X509_set_pubkey(cert.get(), key.get()) == 1;
  ok = ok && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) {
    LogOpenSslError("self-signed certificate");
    return std::nullopt;
  }
  auto digest = Digest(cert.get(), "sha-256");
  if (!digest) {
    LogOpenSslError("X509_digest");
    return std::nullopt;
  }
  return Certificate(std::move(cert), std::move(key), FormatFingerprint(*digest));
}

std::optional<std::vector<std::uint8_t>> Certificate::Digest(X509* cert,
                                                             std::string_view algorithm) {
  const EVP_MD* md = DigestByName(algorithm);
  if (md == nullptr || cert == nullptr) return std::nullopt;
  std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (X509_digest(cert, md, out.data(), &len) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::optional<std::size_t> Certificate::DigestBytes(std::string_view algorithm) {
  const EVP_MD* md = DigestByName(algorithm);
  if (md == nullptr) return std::nullopt;
  return static_cast<std::size_t>(EVP_MD_get_size(md));
}

std::string Certificate::FormatFingerprint(const std::vector<std::uint8_t>& digest) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(digest.size() * 3);
  for (std::size_t i = 0; i < digest.size(); ++i) {
    if (i != 0) out.push_back(':');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0f]);
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> Certificate::ParseFingerprint(std::string_view hex) {
  // Exactly "XX(:XX)*": 3n-1 characters.
  if (hex.empty() || (hex.size() + 1) % 3 != 0) return std::nullopt;
  std::vector<std::uint8_t> out;
  out.reserve((hex.size() + 1) / 3);
  for (std::size_t i = 0; i < hex.size(); i += 3) {
    const int hi = HexValue(hex[i]);
    const int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    if (i + 2 < hex.size() && hex[i + 2] != ':') return std::nullopt;
    out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
  }
  return out;
}

}  // namespace chorus::rtc
