// Small server state (e.g. a generated signing secret): the kv table.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/Connection.hpp"

namespace chorus::store {

// Thread affinity: that of the Connection it wraps.
class KvRepository {
 public:
  explicit KvRepository(Connection& conn) : conn_(conn) {}

  // The value stored under key, if any.
  std::optional<std::string> Get(std::string_view key);
  // Stores value under key, replacing any previous value.
  void Put(std::string_view key, std::string_view value);
  // Stores value under key only if the key is absent; returns the value now stored (the
  // existing one when another writer got there first).
  std::string PutIfAbsent(std::string_view key, std::string_view value);

 private:
  Connection& conn_;
};

}  // namespace chorus::store
