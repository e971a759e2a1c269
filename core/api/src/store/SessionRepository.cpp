#include "store/SessionRepository.hpp"

namespace chorus::store {
namespace {

constexpr std::string_view kColumns =
    "id, user_id, created_at, expires_at, last_seen_at, client_addr";
constexpr std::string_view kJoinColumns =
    "s.id, s.user_id, s.created_at, s.expires_at, s.last_seen_at, s.client_addr";

Session SessionFromRow(const Row& row) {
  return Session{row.Int(0), row.Int(1), row.Int(2), row.Int(3), row.Int(4), row.Text(5)};
}

}  // namespace

Session SessionRepository::Create(std::string_view token_hash, std::int64_t user_id,
                                  std::int64_t now_ms, std::int64_t expires_ms,
                                  std::string_view client_addr) {
  const Rows rows = conn_.Exec(
      "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, "
      "client_addr) VALUES ($1, $2, $3, $4, $3, $5) RETURNING " +
          std::string(kColumns),
      {std::string(token_hash), user_id, now_ms, expires_ms, std::string(client_addr)});
  return SessionFromRow(rows.at(0));
}

std::optional<SessionWithUser> SessionRepository::FindValid(std::string_view token_hash,
                                                            std::int64_t now_ms) {
  const Rows rows =
      conn_.Exec("SELECT " + std::string(kJoinColumns) + ", " + UserRepository::Columns("u.") +
                     " FROM sessions s JOIN users u ON u.id = s.user_id "
                     "WHERE s.token_hash = $1 AND s.expires_at > $2",
                 {std::string(token_hash), now_ms});
  if (rows.empty()) return std::nullopt;
  return SessionWithUser{SessionFromRow(rows[0]), UserRepository::FromRow(rows[0], 6)};
}

bool SessionRepository::Touch(std::int64_t id, std::int64_t now_ms) {
  conn_.Exec("UPDATE sessions SET last_seen_at = $2 WHERE id = $1", {id, now_ms});
  return conn_.AffectedRows() > 0;
}

bool SessionRepository::Delete(std::string_view token_hash) {
  conn_.Exec("DELETE FROM sessions WHERE token_hash = $1", {std::string(token_hash)});
  return conn_.AffectedRows() > 0;
}

std::int64_t SessionRepository::DeleteForUser(std::int64_t user_id) {
  conn_.Exec("DELETE FROM sessions WHERE user_id = $1", {user_id});
  return conn_.AffectedRows();
}

std::int64_t SessionRepository::DeleteExpired(std::int64_t now_ms) {
  conn_.Exec("DELETE FROM sessions WHERE expires_at <= $1", {now_ms});
  return conn_.AffectedRows();
}

}  // namespace chorus::store
