#include "store/KvRepository.hpp"

namespace chorus::store {

std::optional<std::string> KvRepository::Get(std::string_view key) {
  const Rows rows = conn_.Exec("SELECT value FROM kv WHERE key = $1", {std::string(key)});
  if (rows.empty()) return std::nullopt;
  return rows[0].Text(0);
}

void KvRepository::Put(std::string_view key, std::string_view value) {
  conn_.Exec(
      "INSERT INTO kv (key, value) VALUES ($1, $2) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      {std::string(key), std::string(value)});
}

std::string KvRepository::PutIfAbsent(std::string_view key, std::string_view value) {
  conn_.Exec("INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
             {std::string(key), std::string(value)});
  return Get(key).value_or(std::string(value));
}

}  // namespace chorus::store
