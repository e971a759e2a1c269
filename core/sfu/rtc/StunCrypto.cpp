#include "rtc/StunCrypto.hpp"

// SHA1_Init/Update/Final are deprecated in OpenSSL 3 but remain in libcrypto. They are used here
// on purpose: every EVP digest or MAC (re)initialisation in OpenSSL 3.0 allocates its provider
// context (measured: ~9 mallocs per HMAC), and the packet path must not allocate. The HMAC
// construction over them is RFC 2104's, checked in tests against OpenSSL's own HMAC().
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <zlib.h>

#include <cstring>

namespace chorus::rtc::stun {
namespace {

constexpr std::size_t kSha1BlockBytes = 64;  // RFC 2104 §2: B

}  // namespace

bool HmacSha1(std::string_view key, std::span<const std::uint8_t> header,
              std::span<const std::uint8_t> body, std::array<std::uint8_t, kHmacSha1Bytes>& out) {
  // RFC 2104 §2: H(K XOR opad, H(K XOR ipad, text)), a key longer than B hashed first.
  std::uint8_t block[kSha1BlockBytes] = {};
  if (key.size() > kSha1BlockBytes) {
    if (SHA1(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block) == nullptr) {
      return false;
    }
  } else if (!key.empty()) {
    std::memcpy(block, key.data(), key.size());
  }
  std::uint8_t pad[kSha1BlockBytes];
  for (std::size_t i = 0; i < kSha1BlockBytes; ++i) pad[i] = block[i] ^ 0x36;
  std::uint8_t inner[SHA_DIGEST_LENGTH];
  SHA_CTX ctx;
  bool ok = SHA1_Init(&ctx) == 1 && SHA1_Update(&ctx, pad, sizeof(pad)) == 1 &&
            SHA1_Update(&ctx, header.data(), header.size()) == 1 &&
            (body.empty() || SHA1_Update(&ctx, body.data(), body.size()) == 1) &&
            SHA1_Final(inner, &ctx) == 1;
  for (std::size_t i = 0; i < kSha1BlockBytes; ++i) pad[i] = block[i] ^ 0x5c;
  ok = ok && SHA1_Init(&ctx) == 1 && SHA1_Update(&ctx, pad, sizeof(pad)) == 1 &&
       SHA1_Update(&ctx, inner, sizeof(inner)) == 1 && SHA1_Final(out.data(), &ctx) == 1;
  // The padded key is a secret: wipe it from the stack.
  OPENSSL_cleanse(block, sizeof(block));
  OPENSSL_cleanse(pad, sizeof(pad));
  OPENSSL_cleanse(&ctx, sizeof(ctx));
  return ok;
}

std::uint32_t FingerprintCrc(std::span<const std::uint8_t> header,
                             std::span<const std::uint8_t> body) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, header.data(), static_cast<uInt>(header.size()));
  if (!body.empty()) crc = crc32(crc, body.data(), static_cast<uInt>(body.size()));
  return static_cast<std::uint32_t>(crc) ^ kFingerprintXor;
}

}  // namespace chorus::rtc::stun
