#include "store/StreamRepository.hpp"

#include <fmt/format.h>

namespace chorus::store {
namespace {

constexpr std::string_view kColumns =
    "id, title, description, hls_url, host_id, voice_enabled, created_at, updated_at";

Stream StreamFromRow(const Row& row) {
  return Stream{row.Int(0),    row.Text(1), row.Text(2), row.Text(3),
                row.OptInt(4), row.Bool(5), row.Int(6),  row.Int(7)};
}

}  // namespace

Stream StreamRepository::Create(const StreamInput& input, std::int64_t now_ms) {
  const Rows rows = conn_.Exec(
      fmt::format("INSERT INTO streams (title, description, hls_url, host_id, voice_enabled, "
                  "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {}",
                  kColumns),
      {input.title, input.description, input.hls_url, OptValue(input.host_id),
       BoolValue(input.voice_enabled), now_ms});
  return StreamFromRow(rows.at(0));
}

std::vector<Stream> StreamRepository::List() {
  std::vector<Stream> out;
  for (const Row& row : conn_.Exec(fmt::format("SELECT {} FROM streams ORDER BY id", kColumns))) {
    out.push_back(StreamFromRow(row));
  }
  return out;
}

std::optional<Stream> StreamRepository::Find(std::int64_t id) {
  const Rows rows = conn_.Exec(fmt::format("SELECT {} FROM streams WHERE id = $1", kColumns), {id});
  if (rows.empty()) return std::nullopt;
  return StreamFromRow(rows[0]);
}

std::optional<Stream> StreamRepository::Update(std::int64_t id, const StreamPatch& patch,
                                               std::int64_t now_ms) {
  std::vector<Value> params{id, now_ms};
  std::string sets = "updated_at = $2";
  const auto add = [&](std::string_view column, Value v) {
    params.push_back(std::move(v));
    sets += fmt::format(", {} = ${}", column, params.size());
  };
  if (patch.title) add("title", *patch.title);
  if (patch.description) add("description", *patch.description);
  if (patch.hls_url) add("hls_url", *patch.hls_url);
  if (patch.host_id) add("host_id", OptValue(*patch.host_id));
  if (patch.voice_enabled) add("voice_enabled", BoolValue(*patch.voice_enabled));
  const Rows rows = conn_.Exec(
      fmt::format("UPDATE streams SET {} WHERE id = $1 RETURNING {}", sets, kColumns), params);
  if (rows.empty()) return std::nullopt;
  return StreamFromRow(rows[0]);
}

bool StreamRepository::Delete(std::int64_t id) {
  conn_.Exec("DELETE FROM streams WHERE id = $1", {id});
  return conn_.AffectedRows() > 0;
}

}  // namespace chorus::store
