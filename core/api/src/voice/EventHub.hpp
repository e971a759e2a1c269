// Fans voice events out to this node's Server-Sent-Events clients. Events arrive from the state
// backend's pub/sub (voice:events:<stream_id> for room events, voice:events:user:<user_id> for a
// user's settings), so every node's clients see every node's changes. Room events carry the
// room version as their SSE id; the last `replay_events` of each room are kept for
// Last-Event-ID replay. After a pub/sub reconnect every client gets a `resync` event (messages
// published meanwhile are lost). Thread-safe: Deliver runs on the backend's thread, clients on
// their connection strands.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "state/StateBackend.hpp"

namespace chorus::voice {

// One SSE frame ("id: …\nevent: …\ndata: …\n\n") and its id (0 = none).
struct SseFrame {
  std::int64_t id = 0;
  std::shared_ptr<const std::string> text;
};

// One connected SSE listener. The hub queues frames and wakes the connection's coroutine by
// cancelling `wake` on the connection's strand.
class SseClient {
 public:
  SseClient(boost::asio::any_io_executor strand, std::int64_t stream_id, std::int64_t user_id,
            std::int64_t session_id)
      : wake(strand), stream_id_(stream_id), user_id_(user_id), session_id_(session_id) {}

  // Takes the queued frames; sets `overflowed` when the queue was capped (the connection
  // should end so the client reconnects with Last-Event-ID).
  std::vector<SseFrame> Take(bool& overflowed);
  bool HasQueued();
  boost::asio::steady_timer wake;  // used on the strand only

 private:
  friend class EventHub;
  static constexpr std::size_t kMaxQueued = 512;
  void Push(const SseFrame& frame);
  std::int64_t stream_id_, user_id_, session_id_;
  std::mutex mu_;
  std::deque<SseFrame> queue_;
  bool overflowed_ = false;
};

class EventHub {
 public:
  EventHub(state::StateBackend& state, std::size_t replay_events);

  // Subscribes to the backend's voice:events:* channels. Call once at start. After each
  // reconnect of the backend, `before_resync` runs (on the backend's thread), then every client
  // gets a resync.
  void Start(std::function<void()> before_resync = {});
  // Receives every room event (stream id, type, data) as it arrives from the backend, on the
  // backend's thread, before the SSE clients do: every node sees every room's events, so a node
  // ends the media it holds for a member who left through another node. Set before Start().
  using RoomEventObserver =
      std::function<void(std::int64_t, std::string_view, const boost::json::object&)>;
  void SetRoomEventObserver(RoomEventObserver observer) { observer_ = std::move(observer); }
  // Wakes every client so its connection ends (server shutdown).
  void Shutdown();
  bool ShuttingDown() const { return stopping_; }

  static std::string RoomChannel(std::int64_t stream_id);
  static std::string UserChannel(std::int64_t user_id);
  // The message to PUBLISH for a room event (id = room version) or a user event.
  static std::string RoomMessage(std::int64_t stream_id, std::int64_t version,
                                 std::string_view type, boost::json::object data);
  static std::string UserMessage(std::int64_t user_id, std::int64_t origin_session,
                                 std::string_view type, boost::json::object data);
  // Builds an SSE frame.
  static SseFrame Frame(std::int64_t id, std::string_view type, const std::string& json);

  void Add(const std::shared_ptr<SseClient>& client);
  void Remove(const std::shared_ptr<SseClient>& client);
  std::size_t ClientCount() const;

  // The buffered frames of a room with id > last_id; `complete` is false when frames after
  // last_id may have been dropped from (or never reached) the buffer.
  std::vector<SseFrame> Since(std::int64_t stream_id, std::int64_t last_id, bool& complete);

  // Handles one pub/sub message (public for tests and for the in-process backend).
  void Deliver(const std::string& channel, const std::string& message);

 private:
  void Resync();
  void Wake(const std::shared_ptr<SseClient>& client);

  state::StateBackend& state_;
  std::size_t replay_events_;
  mutable std::mutex mu_;
  std::multimap<std::int64_t, std::weak_ptr<SseClient>> by_stream_;  // stream id → clients
  std::map<std::int64_t, std::deque<SseFrame>> replay_;
  std::atomic<bool> stopping_{false};
  RoomEventObserver observer_;
};

}  // namespace chorus::voice
