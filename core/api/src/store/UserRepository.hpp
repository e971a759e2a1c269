// Accounts: the users table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/Connection.hpp"

namespace chorus::store {

struct User {
  std::int64_t id = 0;
  std::string username;  // As the user typed it; lookups ignore ASCII case.
  std::string password_hash;
  std::string role;  // "admin" | "user".
  std::int64_t created_at_ms = 0;
};

// Thread affinity: that of the Connection it wraps.
class UserRepository {
 public:
  explicit UserRepository(Connection& conn) : conn_(conn) {}

  // The case-insensitive key a username is unique under (ASCII lower case).
  static std::string UsernameKey(std::string_view username);

  // Inserts a user and returns it. Throws UniqueViolation when the name is taken in any case.
  User Create(std::string_view username, std::string_view password_hash, std::string_view role,
              std::int64_t now_ms);
  // The user with this name (any case), if any.
  std::optional<User> FindByUsername(std::string_view username);
  // The user with this id, if any.
  std::optional<User> FindById(std::int64_t id);
  // Replaces a user's password hash; returns false when no such user.
  bool SetPasswordHash(std::int64_t id, std::string_view password_hash);
  // Number of users.
  std::int64_t Count();
  // Number of users with role "admin".
  std::int64_t CountAdmins();

  // The SELECT column list that UserFromRow reads, for joins (prefix is a table alias + ".").
  static std::string Columns(std::string_view prefix = "");
  // Reads a User from row columns [first, first + 5).
  static User FromRow(const Row& row, std::size_t first = 0);

 private:
  Connection& conn_;
};

}  // namespace chorus::store
