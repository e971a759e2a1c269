#include "rtc/SrtpKdf.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <memory>

namespace chorus::rtc {
namespace {

constexpr std::size_t kAesBlockBytes = 16;
constexpr std::size_t kPrfSaltBytes = 14;  // 112-bit x of RFC 3711 §4.3.1
constexpr std::size_t kLabelOffset = 7;    // key_id = label || r (48 bits), right-aligned in x

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};

}  // namespace

bool DeriveSrtpKey(std::span<const std::uint8_t> master_key,
                   std::span<const std::uint8_t> master_salt, SrtpKdfLabel label,
                   std::span<std::uint8_t> out) {
  if (master_key.size() != 16 || master_salt.size() > kPrfSaltBytes ||
      out.size() > kAesBlockBytes) {
    return false;
  }
  // x = key_id XOR master_salt; with kdr 0, r = 0 so only the label byte is non-zero. The AES-CM
  // PRF output is AES_k(x * 2^16) for the first block (RFC 3711 §4.3.3): the counter starts at 0.
  std::array<std::uint8_t, kAesBlockBytes> block{};
  for (std::size_t i = 0; i < master_salt.size(); ++i) block[i] = master_salt[i];
  block[kLabelOffset] ^= static_cast<std::uint8_t>(label);

  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  std::array<std::uint8_t, kAesBlockBytes> keystream{};
  int written = 0;
  const bool ok =
      ctx &&
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, master_key.data(), nullptr) == 1 &&
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1 &&
      EVP_EncryptUpdate(ctx.get(), keystream.data(), &written, block.data(),
                        static_cast<int>(block.size())) == 1 &&
      written == static_cast<int>(kAesBlockBytes);
  if (ok) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = keystream[i];
  }
  OPENSSL_cleanse(keystream.data(), keystream.size());
  return ok;
}

}  // namespace chorus::rtc
