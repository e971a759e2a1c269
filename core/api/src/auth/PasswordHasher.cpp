#include "auth/PasswordHasher.hpp"

#include <sodium.h>
#include <stdexcept>

namespace chorus::auth {
namespace {
void EnsureSodium() {
  static const int ok = sodium_init();
  if (ok < 0) throw std::runtime_error("libsodium failed to initialise");
}
}  // namespace

std::string PasswordHasher::Hash(std::string_view password) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  return out;
}

bool PasswordHasher::Verify(std::string_view encoded, std::string_view password) {
  EnsureSodium();
  const std::string copy(encoded);  // crypto_pwhash_str_verify wants a NUL-terminated string
  return crypto_pwhash_str_verify(copy.c_str(), password.data(), password.size()) == 0;
}

const std::string& PasswordHasher::DummyHash() {
  static const std::string hash = Hash("chorus-dummy-password-never-matches");
  return hash;
}

}  // namespace chorus::auth
