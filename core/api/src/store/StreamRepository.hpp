// Streams (the watch pages voice rooms hang off): the streams table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/Connection.hpp"

namespace chorus::store {

struct Stream {
  std::int64_t id = 0;
  std::string title;
  std::string description;
  std::string hls_url;
  std::optional<std::int64_t> host_id;
  bool voice_enabled = false;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

struct StreamInput {
  std::string title;
  std::string description;
  std::string hls_url;
  std::optional<std::int64_t> host_id;
  bool voice_enabled = false;
};

// Fields to change; an empty optional leaves the column as it is. host_id holds an inner
// nullopt to clear the host.
struct StreamPatch {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::string> hls_url;
  std::optional<std::optional<std::int64_t>> host_id;
  std::optional<bool> voice_enabled;
};

// Thread affinity: that of the Connection it wraps.
class StreamRepository {
 public:
  explicit StreamRepository(Connection& conn) : conn_(conn) {}

  // Inserts a stream and returns it (DbError if host_id names no user).
  Stream Create(const StreamInput& input, std::int64_t now_ms);
  // All streams, oldest first.
  std::vector<Stream> List();
  // The stream with this id, if any.
  std::optional<Stream> Find(std::int64_t id);
  // Applies the set fields of patch and bumps updated_at; returns the new row, or nullopt when
  // no such stream.
  std::optional<Stream> Update(std::int64_t id, const StreamPatch& patch, std::int64_t now_ms);
  // Deletes a stream (its voice rows cascade); returns whether it existed.
  bool Delete(std::int64_t id);

 private:
  Connection& conn_;
};

}  // namespace chorus::store
