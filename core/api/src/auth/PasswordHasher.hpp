// Password hashing with argon2id (libsodium crypto_pwhash_str). Slow on purpose: call it on the
// blocking pool only.
#pragma once

#include <string>
#include <string_view>

namespace chorus::auth {

class PasswordHasher {
 public:
  // Returns the encoded argon2id hash (salt and parameters included).
  static std::string Hash(std::string_view password);
  // True when `password` matches `encoded`.
  static bool Verify(std::string_view encoded, std::string_view password);
  // A hash of a random password, verified against when the username does not exist, so a
  // failed login costs the same time either way and does not reveal which part was wrong.
  static const std::string& DummyHash();
};

}  // namespace chorus::auth
