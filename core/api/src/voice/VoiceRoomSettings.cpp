// VoiceService: a room's settings (PATCH …/room): member and speaker limits, open or stage mode,
// slow mode and pinned speakers.
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "ops/Log.hpp"
#include "store/KvRepository.hpp"
#include "store/StreamRepository.hpp"
#include "store/VoiceRepository.hpp"
#include "voice/RoomRoles.hpp"
#include "voice/VoiceService.hpp"

namespace chorus::voice {
namespace {

using boost::asio::awaitable;

constexpr int kMaxRoomMembers = 1000, kMaxSpeakers = 1000, kMaxSlowModeSeconds = 3600;

store::Stream FindStream(store::Connection& c, std::int64_t stream_id) {
  auto stream = store::StreamRepository(c).Find(stream_id);
  if (!stream) throw http::NotFound("no such stream");
  return *stream;
}

// Refuses a patch out of range (400 invalid_argument) before anything is read or written.
void Validate(const RoomPatch& p, int slots) {
  if (p.max_members && (*p.max_members < 1 || *p.max_members > kMaxRoomMembers)) {
    throw http::BadRequest("max_members must be 1–1000");
  }
  if (p.max_speakers && (*p.max_speakers < 0 || *p.max_speakers > kMaxSpeakers)) {
    throw http::BadRequest("max_speakers must be 0–1000 (0 = no limit)");
  }
  if (p.mode && *p.mode != "open" && *p.mode != "stage") {
    throw http::BadRequest("mode must be 'open' or 'stage'");
  }
  if (p.slow_mode_seconds &&
      (*p.slow_mode_seconds < 0 || *p.slow_mode_seconds > kMaxSlowModeSeconds)) {
    throw http::BadRequest("slow_mode_seconds must be 0–3600");
  }
  if (p.pinned) {
    if (p.pinned->size() > static_cast<std::size_t>(std::max(0, slots))) {
      throw http::BadRequest("pinned holds at most " + std::to_string(slots) + " user ids");
    }
    const std::set<std::int64_t> distinct(p.pinned->begin(), p.pinned->end());
    if (distinct.size() != p.pinned->size() || (!distinct.empty() && *distinct.begin() < 1)) {
      throw http::BadRequest("pinned must be distinct positive user ids");
    }
  }
}

}  // namespace

awaitable<boost::json::object> VoiceService::UpdateRoom(auth::AuthedUser actor,
                                                        std::int64_t stream_id, RoomPatch patch) {
  auto work = [this, actor, stream_id, patch]() -> boost::json::object {
    Validate(patch, services_.config.rtc.audio_slots);
    // Read the state first: it proves the backend answers before anything durable is written,
    // and a mode switch needs the roster.
    const auto roster = rooms_.Roster(stream_id);
    const auto before = LoadConfig(stream_id);
    boost::json::object changed;
    auto privileged = services_.db.With([&](store::Connection& c) {
      auto stream = FindStream(c, stream_id);
      if (!HasPowers(RoomRole(c, stream, actor.id))) {
        throw http::Forbidden("only the host, moderators and administrators may change the room");
      }
      std::vector<std::int64_t> ids;
      for (const auto& m : roster) {
        if (HasPowers(RoomRole(c, stream, m.user_id))) ids.push_back(m.user_id);
      }
      c.Transaction([&] {
        store::VoiceRepository repo(c);
        repo.EnsureRoom(stream_id, 0, stream.host_id, RoomName(stream_id), clock_());
        store::VoiceRoomPatch row;
        row.max_speakers = patch.max_speakers;
        row.mode = patch.mode;
        row.slow_mode_seconds = patch.slow_mode_seconds;
        row.pinned = patch.pinned;
        repo.UpdateRoom(stream_id, row, clock_());
        if (patch.max_members) {
          store::KvRepository(c).Put("voice.room_max_members." + std::to_string(stream_id),
                                     std::to_string(*patch.max_members));
        }
      });
      return ids;
    });
    RoomConfig after = before;
    if (patch.max_members) changed["max_members"] = *patch.max_members;
    if (patch.max_speakers) after.max_speakers = *patch.max_speakers;
    if (patch.slow_mode_seconds) after.slow_mode_seconds = *patch.slow_mode_seconds;
    if (patch.pinned) after.pinned = *patch.pinned;
    if (patch.mode) after.mode = *patch.mode;
    if (patch.max_speakers) changed["max_speakers"] = after.max_speakers;
    if (patch.slow_mode_seconds) changed["slow_mode_seconds"] = after.slow_mode_seconds;
    if (patch.mode) changed["mode"] = after.mode;
    if (patch.pinned) changed["pinned"] = boost::json::value_from(after.pinned);

    if (patch.max_members) rooms_.SetMaxMembers(stream_id, *patch.max_members);
    const std::string room_name = RoomName(stream_id);
    if (patch.mode) {
      // The switch rewrites every member in one script; listeners lose their voice at once.
      const auto outcome = rooms_.SetMode(stream_id, *patch.mode, privileged);
      for (const auto& [member, version] : outcome.changed) {
        if (media_ && member.muted) media_->SetMuted(room_name, member.user_id, true, false);
        Publish(stream_id, version, "member_updated",
                {{"member", member.ToJson()}, {"by", actor.id}});
      }
    }
    rooms_.SetConfig(stream_id, after);
    if (patch.pinned) PushPins(stream_id, after.pinned);
    const auto version = rooms_.BumpVersion(stream_id);
    auto room = RoomJson(stream_id);
    Publish(stream_id, version, "room_updated", {{"room", room}, {"by", actor.id}});
    Audit(actor.id, "voice.room", stream_id, std::nullopt, boost::json::serialize(changed));
    ops::Info("voice", "room updated",
              {{"stream_id", stream_id}, {"by", actor.id}, {"changed", changed}});
    return room;
  };
  co_return co_await Blocking(std::move(work));
}

}  // namespace chorus::voice
