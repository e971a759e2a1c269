#include "voice/EventHub.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "ops/Log.hpp"

namespace chorus::voice {
namespace {

constexpr std::string_view kChannelPrefix = "voice:events:";
constexpr std::string_view kUserPrefix = "voice:events:user:";

}  // namespace

void SseClient::Push(const SseFrame& frame) {
  std::lock_guard lock(mu_);
  if (queue_.size() >= kMaxQueued) {
    overflowed_ = true;
    return;
  }
  queue_.push_back(frame);
}

std::vector<SseFrame> SseClient::Take(bool& overflowed) {
  std::lock_guard lock(mu_);
  overflowed = overflowed_;
  std::vector<SseFrame> out(queue_.begin(), queue_.end());
  queue_.clear();
  return out;
}

bool SseClient::HasQueued() {
  std::lock_guard lock(mu_);
  return !queue_.empty() || overflowed_;
}

EventHub::EventHub(state::StateBackend& state, std::size_t replay_events)
    : state_(state), replay_events_(replay_events) {}

void EventHub::Start(std::function<void()> before_resync) {
  state_.Subscribe(
      std::string(kChannelPrefix),
      [this](const std::string& channel, const std::string& message) { Deliver(channel, message); },
      [this, before_resync = std::move(before_resync)] {
        if (before_resync) before_resync();
        Resync();
      });
}

std::string EventHub::RoomChannel(std::int64_t stream_id) {
  return std::string(kChannelPrefix) + std::to_string(stream_id);
}
std::string EventHub::UserChannel(std::int64_t user_id) {
  return std::string(kUserPrefix) + std::to_string(user_id);
}

std::string EventHub::RoomMessage(std::int64_t stream_id, std::int64_t version,
                                  std::string_view type, boost::json::object data) {
  data["type"] = type;
  data["stream_id"] = stream_id;
  data["version"] = version;
  return boost::json::serialize(
      boost::json::object{{"id", version}, {"type", type}, {"data", std::move(data)}});
}

std::string EventHub::UserMessage(std::int64_t user_id, std::int64_t origin_session,
                                  std::string_view type, boost::json::object data) {
  data["type"] = type;
  return boost::json::serialize(boost::json::object{{"id", 0},
                                                    {"type", type},
                                                    {"user_id", user_id},
                                                    {"origin_session", origin_session},
                                                    {"data", std::move(data)}});
}

SseFrame EventHub::Frame(std::int64_t id, std::string_view type, const std::string& json) {
  std::string text;
  text.reserve(json.size() + 64);
  if (id > 0) text += "id: " + std::to_string(id) + "\n";
  text += "event: ";
  text += type;
  text += "\ndata: ";
  text += json;  // serialized JSON never contains a raw newline
  text += "\n\n";
  return {id, std::make_shared<const std::string>(std::move(text))};
}

void EventHub::Wake(const std::shared_ptr<SseClient>& client) {
  boost::asio::post(client->wake.get_executor(), [client] { client->wake.cancel(); });
}

void EventHub::Add(const std::shared_ptr<SseClient>& client) {
  std::lock_guard lock(mu_);
  by_stream_.emplace(client->stream_id_, client);
}

void EventHub::Remove(const std::shared_ptr<SseClient>& client) {
  std::lock_guard lock(mu_);
  auto [first, last] = by_stream_.equal_range(client->stream_id_);
  for (auto it = first; it != last; ++it) {
    if (it->second.lock() == client) {
      by_stream_.erase(it);
      break;
    }
  }
}

std::size_t EventHub::ClientCount() const {
  std::lock_guard lock(mu_);
  return by_stream_.size();
}

std::vector<SseFrame> EventHub::Since(std::int64_t stream_id, std::int64_t last_id,
                                      bool& complete) {
  std::lock_guard lock(mu_);
  std::vector<SseFrame> out;
  auto it = replay_.find(stream_id);
  if (it == replay_.end() || it->second.empty()) {
    complete = false;
    return out;
  }
  const auto& buffer = it->second;
  complete = buffer.front().id <= last_id + 1;
  for (const auto& f : buffer) {
    if (f.id > last_id) out.push_back(f);
  }
  return out;
}

void EventHub::Deliver(const std::string& channel, const std::string& message) {
  if (channel.rfind(kChannelPrefix, 0) != 0) return;
  boost::system::error_code ec;
  auto parsed = boost::json::parse(message, ec);
  if (ec || !parsed.is_object()) {
    ops::Warn("voice", "dropped malformed event", {{"channel", channel}});
    return;
  }
  const auto& o = parsed.as_object();
  const auto* type = o.if_contains("type");
  const auto* id = o.if_contains("id");
  const auto* data = o.if_contains("data");
  if (!type || !type->is_string() || !id || !id->is_int64() || !data || !data->is_object()) {
    ops::Warn("voice", "dropped malformed event", {{"channel", channel}});
    return;
  }
  const auto frame = Frame(id->as_int64(), type->as_string(), boost::json::serialize(*data));
  std::vector<std::shared_ptr<SseClient>> targets;
  if (channel.rfind(kUserPrefix, 0) == 0) {
    // A user's own event: to that user's listeners on other sessions.
    const auto* user = o.if_contains("user_id");
    const auto* origin = o.if_contains("origin_session");
    if (!user || !user->is_int64()) return;
    const std::int64_t origin_session = origin && origin->is_int64() ? origin->as_int64() : 0;
    std::lock_guard lock(mu_);
    for (const auto& [_, weak] : by_stream_) {
      auto c = weak.lock();
      if (c && c->user_id_ == user->as_int64() && c->session_id_ != origin_session) {
        targets.push_back(std::move(c));
      }
    }
  } else {
    std::int64_t stream_id = 0;
    try {
      stream_id = std::stoll(channel.substr(kChannelPrefix.size()));
    } catch (...) {
      return;
    }
    if (observer_) observer_(stream_id, type->as_string(), data->as_object());
    std::lock_guard lock(mu_);
    auto& buffer = replay_[stream_id];
    if (frame.id > 0 && (buffer.empty() || frame.id > buffer.back().id)) {
      buffer.push_back(frame);
      while (buffer.size() > replay_events_) buffer.pop_front();
    }
    auto [first, last] = by_stream_.equal_range(stream_id);
    for (auto it = first; it != last; ++it) {
      if (auto c = it->second.lock()) targets.push_back(std::move(c));
    }
  }
  for (auto& c : targets) {
    c->Push(frame);
    Wake(c);
  }
}

void EventHub::Resync() {
  ops::Info("voice", "event stream resubscribed; clients resync");
  const auto frame = Frame(0, "resync", R"({"type":"resync","reason":"state_reconnected"})");
  std::vector<std::shared_ptr<SseClient>> targets;
  {
    std::lock_guard lock(mu_);
    replay_.clear();  // events published while disconnected are missing from the buffers
    for (const auto& [_, weak] : by_stream_) {
      if (auto c = weak.lock()) targets.push_back(std::move(c));
    }
  }
  for (auto& c : targets) {
    c->Push(frame);
    Wake(c);
  }
}

void EventHub::Shutdown() {
  stopping_ = true;
  std::vector<std::shared_ptr<SseClient>> targets;
  {
    std::lock_guard lock(mu_);
    for (const auto& [_, weak] : by_stream_) {
      if (auto c = weak.lock()) targets.push_back(std::move(c));
    }
  }
  for (auto& c : targets) Wake(c);
}

}  // namespace chorus::voice
