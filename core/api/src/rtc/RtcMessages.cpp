#include "rtc/RtcMessages.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace chorus::rtc_api {
namespace json = boost::json;

json::object MemberJson(const sfu::MemberInfo& member, const StageFields* stage) {
  json::object out;
  out["user_id"] = member.user_id;
  out["username"] = member.username;
  out["muted"] = member.muted;
  if (member.muted_by == sfu::MutedBy::kNone) {
    out["muted_by"] = nullptr;
  } else {
    out["muted_by"] = sfu::MutedByName(member.muted_by);
  }
  out["speaking"] = member.speaking;
  if (stage) {
    if (const auto it = stage->find(member.user_id); it != stage->end()) {
      for (const auto& [key, value] : it->second) out[key] = value;
    }
  }
  return out;
}

std::string JoinedMessage(const sfu::JoinResult& result, std::int64_t user_id,
                          const StageFields* stage) {
  json::array slots;
  for (const auto& slot : result.slots) {
    slots.push_back(json::object{{"index", slot.index}, {"mid", slot.mid}, {"ssrc", slot.ssrc}});
  }
  json::array members;
  for (const auto& member : result.members) members.push_back(MemberJson(member, stage));
  return json::serialize(json::object{{"type", "joined"},
                                      {"answer", result.answer_sdp},
                                      {"participant_id", result.participant_id},
                                      {"user_id", user_id},
                                      {"slots", std::move(slots)},
                                      {"members", std::move(members)}});
}

std::string ErrorMessage(const std::string& code, const std::string& message,
                         std::optional<std::int64_t> retry_after_ms) {
  json::object out{{"type", "error"}, {"code", code}, {"message", message}};
  if (retry_after_ms) out["retry_after_ms"] = *retry_after_ms;
  return json::serialize(out);
}

namespace {

struct Encoder {
  const StageFields* stage = nullptr;
  EventMessage operator()(const sfu::SpeakersEvent& e) const {
    json::array speakers;
    for (const auto& s : e.speakers) {
      speakers.push_back(json::object{{"user_id", s.user_id}, {"level", s.level}});
    }
    return {json::serialize(json::object{{"type", "speakers"}, {"speakers", std::move(speakers)}}),
            false};
  }
  EventMessage operator()(const sfu::SlotEvent& e) const {
    json::object out{{"type", "slot"}, {"index", e.index}};
    if (e.user_id) {
      out["user_id"] = *e.user_id;
    } else {
      out["user_id"] = nullptr;
    }
    return {json::serialize(out), false};
  }
  EventMessage operator()(const sfu::MemberEvent& e) const {
    const char* kind = e.kind == sfu::MemberEvent::Kind::kJoined ? "joined"
                       : e.kind == sfu::MemberEvent::Kind::kLeft ? "left"
                                                                 : "updated";
    return {json::serialize(json::object{
                {"type", "member"}, {"event", kind}, {"member", MemberJson(e.member, stage)}}),
            false};
  }
  EventMessage operator()(const sfu::MutedEvent& e) const {
    return {json::serialize(json::object{{"type", "muted"},
                                         {"user_id", e.user_id},
                                         {"muted", e.muted},
                                         {"by", sfu::MutedByName(e.by)}}),
            false};
  }
  EventMessage operator()(const sfu::StatsEvent& e) const {
    json::object out{
        {"type", "stats"},          {"loss_up", e.loss_up},       {"loss_down", e.loss_down},
        {"jitter_ms", e.jitter_ms}, {"packets_in", e.packets_in}, {"packets_out", e.packets_out},
        {"bytes_in", e.bytes_in},   {"bytes_out", e.bytes_out}};
    if (e.rtt_ms) {
      out["rtt_ms"] = *e.rtt_ms;
    } else {
      out["rtt_ms"] = nullptr;
    }
    return {json::serialize(out), false};
  }
  EventMessage operator()(const sfu::RemovedEvent& e) const {
    switch (e.reason) {
      case sfu::RemovalReason::kKicked:
        return {json::serialize(json::object{{"type", "kicked"}, {"reason", e.message}}), true};
      case sfu::RemovalReason::kReplaced:
        return {ErrorMessage("replaced", "a newer connection of this user replaced this one"),
                true};
      case sfu::RemovalReason::kTimeout:
        return {ErrorMessage("timeout", "media connectivity lost (ICE consent expired)"), true};
      case sfu::RemovalReason::kDtlsFailed:
        return {ErrorMessage("dtls_failed", "the DTLS handshake failed"), true};
      case sfu::RemovalReason::kClosed:
        return {json::serialize(json::object{{"type", "closed"}, {"reason", e.message}}), true};
      case sfu::RemovalReason::kLeft:
        break;
    }
    return {"", true};
  }
};

}  // namespace

EventMessage EncodeEvent(const sfu::SfuEvent& event, const StageFields* stage) {
  return std::visit(Encoder{stage}, event);
}

}  // namespace chorus::rtc_api
