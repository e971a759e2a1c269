#include "rtc/StunCrypto.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <zlib.h>

#include <memory>

namespace chorus::rtc::stun {
namespace {

struct MacDeleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

// One HMAC-SHA1 context per thread; fetching the algorithm is costly, so it is done once.
EVP_MAC_CTX* ThreadMacContext() {
  thread_local std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx = [] {
    std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> result;
    if (!mac) return result;
    result.reset(EVP_MAC_CTX_new(mac.get()));  // holds its own reference to `mac`
    if (!result) return result;
    char digest[] = "SHA1";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(result.get(), params) != 1) result.reset();
    return result;
  }();
  return ctx.get();
}

}  // namespace

bool HmacSha1(std::string_view key, std::span<const std::uint8_t> header,
              std::span<const std::uint8_t> body, std::array<std::uint8_t, kHmacSha1Bytes>& out) {
  EVP_MAC_CTX* ctx = ThreadMacContext();
  if (ctx == nullptr) return false;
  // OpenSSL refuses a null key pointer even with length 0; an empty password is still a key.
  static constexpr unsigned char kEmpty[1] = {0};
  const auto* key_bytes = key.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(ctx, key_bytes, key.size(), nullptr) != 1) return false;
  if (EVP_MAC_update(ctx, header.data(), header.size()) != 1) return false;
  if (!body.empty() && EVP_MAC_update(ctx, body.data(), body.size()) != 1) return false;
  std::size_t written = 0;
  if (EVP_MAC_final(ctx, out.data(), &written, out.size()) != 1) return false;
  return written == out.size();
}

std::uint32_t FingerprintCrc(std::span<const std::uint8_t> header,
                             std::span<const std::uint8_t> body) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, header.data(), static_cast<uInt>(header.size()));
  if (!body.empty()) crc = crc32(crc, body.data(), static_cast<uInt>(body.size()));
  return static_cast<std::uint32_t>(crc) ^ kFingerprintXor;
}

}  // namespace chorus::rtc::stun
