#include "store/UserRepository.hpp"

#include <fmt/format.h>

namespace chorus::store {

std::string UserRepository::UsernameKey(std::string_view username) {
  std::string key(username);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

std::string UserRepository::Columns(std::string_view p) {
  return fmt::format("{0}id, {0}username, {0}password_hash, {0}role, {0}created_at", p);
}

User UserRepository::FromRow(const Row& row, std::size_t f) {
  return User{row.Int(f), row.Text(f + 1), row.Text(f + 2), row.Text(f + 3), row.Int(f + 4)};
}

User UserRepository::Create(std::string_view username, std::string_view password_hash,
                            std::string_view role, std::int64_t now_ms) {
  const Rows rows = conn_.Exec(
      "INSERT INTO users (username_key, username, password_hash, role, created_at) "
      "VALUES ($1, $2, $3, $4, $5) RETURNING " +
          Columns(),
      {UsernameKey(username), std::string(username), std::string(password_hash), std::string(role),
       now_ms});
  return FromRow(rows.at(0));
}

std::optional<User> UserRepository::FindByUsername(std::string_view username) {
  const Rows rows = conn_.Exec("SELECT " + Columns() + " FROM users WHERE username_key = $1",
                               {UsernameKey(username)});
  if (rows.empty()) return std::nullopt;
  return FromRow(rows[0]);
}

std::optional<User> UserRepository::FindById(std::int64_t id) {
  const Rows rows = conn_.Exec("SELECT " + Columns() + " FROM users WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return FromRow(rows[0]);
}

bool UserRepository::SetPasswordHash(std::int64_t id, std::string_view password_hash) {
  conn_.Exec("UPDATE users SET password_hash = $2 WHERE id = $1", {id, std::string(password_hash)});
  return conn_.AffectedRows() > 0;
}

std::int64_t UserRepository::Count() {
  return conn_.Exec("SELECT COUNT(*) FROM users").at(0).Int(0);
}

std::int64_t UserRepository::CountAdmins() {
  return conn_.Exec("SELECT COUNT(*) FROM users WHERE role = 'admin'").at(0).Int(0);
}

}  // namespace chorus::store
