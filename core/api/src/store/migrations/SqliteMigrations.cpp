// SQLite schema. Integer ids are INTEGER PRIMARY KEY (rowid aliases); timestamps are BIGINT
// epoch milliseconds; booleans are INTEGER 0/1. Keep in step with PostgresMigrations.cpp.
#include "store/migrations/Migration.hpp"

namespace chorus::store {

const std::vector<Migration>& SqliteMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "accounts, sessions, streams",
       {
           R"sql(CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username_key TEXT NOT NULL UNIQUE,
  username TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
  created_at BIGINT NOT NULL))sql",
           R"sql(CREATE TABLE sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  client_addr TEXT NOT NULL DEFAULT ''))sql",
           "CREATE INDEX sessions_user ON sessions(user_id)",
           R"sql(CREATE TABLE streams (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  hls_url TEXT NOT NULL DEFAULT '',
  host_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  voice_enabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL))sql",
       }},
      {2,
       "voice rooms, members, kicks, settings, audit, kv",
       {
           R"sql(CREATE TABLE voice_rooms (
  stream_id INTEGER PRIMARY KEY REFERENCES streams(id) ON DELETE CASCADE,
  max_speakers INTEGER NOT NULL,
  host_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  sfu_room TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL))sql",
           R"sql(CREATE TABLE voice_members (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('host', 'moderator', 'member')),
  joined_at BIGINT NOT NULL,
  left_at BIGINT,
  left_reason TEXT))sql",
           "CREATE INDEX voice_members_lookup ON voice_members(stream_id, user_id, left_at)",
           // At most one open membership per (stream, user); upserts target this index.
           R"sql(CREATE UNIQUE INDEX voice_members_open ON voice_members(stream_id, user_id)
  WHERE left_at IS NULL)sql",
           R"sql(CREATE TABLE voice_kicks (
  stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  by_user_id INTEGER,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (stream_id, user_id)))sql",
           R"sql(CREATE TABLE voice_settings (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  stream_id INTEGER NOT NULL DEFAULT 0,
  auto_join INTEGER NOT NULL,
  mute_on_join INTEGER NOT NULL,
  input_device_id TEXT NOT NULL,
  input_gain INTEGER NOT NULL,
  push_to_talk INTEGER NOT NULL,
  ptt_key TEXT NOT NULL,
  noise_suppression INTEGER NOT NULL,
  echo_cancellation INTEGER NOT NULL,
  auto_gain_control INTEGER NOT NULL,
  output_volume INTEGER NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, stream_id)))sql",
           R"sql(CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at BIGINT NOT NULL,
  actor_id INTEGER,
  action TEXT NOT NULL,
  stream_id INTEGER,
  target_user_id INTEGER,
  detail TEXT NOT NULL DEFAULT ''))sql",
           "CREATE INDEX audit_log_stream ON audit_log(stream_id, id)",
           "CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
       }},
      {3,
       "stage and moderation: room mode, slow mode, pins, moderators",
       {
           "ALTER TABLE voice_rooms ADD COLUMN mode TEXT NOT NULL DEFAULT 'open'",
           "ALTER TABLE voice_rooms ADD COLUMN slow_mode_seconds INTEGER NOT NULL DEFAULT 0",
           // A JSON array of user ids, at most the SFU's slot count.
           "ALTER TABLE voice_rooms ADD COLUMN pinned TEXT NOT NULL DEFAULT '[]'",
           // max_speakers now means members unmuted at once, 0 = no limit; the old 1–16 value
           // was never enforced.
           "UPDATE voice_rooms SET max_speakers = 0",
           R"sql(CREATE TABLE voice_moderators (
  stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  appointed_by INTEGER,
  appointed_at BIGINT NOT NULL,
  PRIMARY KEY (stream_id, user_id)))sql",
       }},
  };
  return kMigrations;
}

}  // namespace chorus::store
