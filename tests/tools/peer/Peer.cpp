#include "Peer.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>

#include "PeerReport.hpp"
#include "rtc/DtlsContext.hpp"

namespace chorus::peer {
namespace json = boost::json;

namespace {

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string StringField(const json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

// Time for the WebSocket close handshake and our last datagrams before giving up.
constexpr std::chrono::milliseconds kShutdownGrace{1'500};

}  // namespace

Peer::Peer(PeerOptions options)
    : options_(std::move(options)),
      deadline_(io_),
      call_timer_(io_),
      mute_timer_(io_),
      ping_timer_(io_),
      status_timer_(io_) {}

Peer::~Peer() = default;

int Peer::Run() {
  started_ms_ = NowMs();
  ApiClient api(io_, options_.url);
  if (!api.Valid()) {
    error_ = "bad --url '" + options_.url + "' (want http://host:port)";
    return code_ = kJoinFailed;
  }
  if (!api.SignIn(options_.user, options_.password, &error_)) return code_ = kJoinFailed;
  join_ = api.Join(options_.stream_id, &error_);
  if (!join_) return code_ = kJoinFailed;

  auto dtls = rtc::DtlsContext::Create();
  if (!dtls) {
    error_ = "cannot create the DTLS certificate";
    return code_ = kMediaFailed;
  }
  PeerMediaOptions media_options;
  media_options.receive_slots = options_.receive_slots;
  source_description_ = options_.source ? options_.source->Description() : "listen-only";
  media_options.source = std::move(options_.source);
  media_options.record_prefix = options_.record_prefix;
  media_options.srtp_profiles = options_.srtp_profiles;
  media_options.bench = options_.bench;
  media_options.cname = "chorus-peer-" + options_.user;
  media_ = std::make_unique<PeerMedia>(io_, std::move(dtls), std::move(media_options));
  media_->SetStateCallback(
      [this](PeerMedia::State state, const std::string& reason) { OnMediaState(state, reason); });
  auto offer = media_->CreateOffer(&error_);
  if (!offer) return code_ = kMediaFailed;

  rtc_ = std::make_unique<RtcSocket>(io_);
  if (!rtc_->Connect(join_->sfu_url, &error_)) return code_ = kJoinFailed;
  rtc_->Start([this](const json::object& message) { OnMessage(message); },
              [this](const std::string& reason) {
                if (!kicked_reason_.empty()) {
                  Finish(kOk, "");
                } else {
                  Finish(participant_id_.empty() && user_id_ == 0 ? kJoinFailed : kSignalingLost,
                         "/rtc: " + reason);
                }
              });
  rtc_->Send(
      json::serialize(json::object{{"type", "join"}, {"token", join_->token}, {"offer", *offer}}));

  deadline_.expires_after(options_.connect_timeout);
  deadline_.async_wait([this](boost::system::error_code ec) {
    if (ec || finished_ || connected_ms_ != 0) return;
    if (user_id_ == 0 && participant_id_.empty()) {
      Finish(kJoinFailed, "/rtc: no \"joined\" reply within the connect timeout");
    } else {
      Finish(kMediaFailed, "media did not connect within the connect timeout (state " +
                               std::to_string(static_cast<int>(media_->GetState())) + ")");
    }
  });
  io_.run();
  if (media_) media_->Close();
  if (ended_ms_ == 0) ended_ms_ = NowMs();
  if (!options_.status_file.empty()) WriteJsonFile(options_.status_file, Report());
  return code_;
}

void Peer::OnMessage(const json::object& message) {
  const std::string type = StringField(message, "type");
  if (auto* count = event_counts_.if_contains(type)) {
    *count = count->as_int64() + 1;
  } else {
    event_counts_[type] = 1;
  }
  json::object stamped = message;
  stamped["t_ms"] = NowMs();
  if (type == "joined") {
    OnJoined(message);
  } else if (type == "speakers") {
    if (const auto* list = message.if_contains("speakers"); list && list->is_array()) {
      last_speakers_ = *list;
      max_speakers_ = std::max(max_speakers_, list->as_array().size());
    }
  } else if (type == "slot") {
    slot_events_.push_back(std::move(stamped));
  } else if (type == "member") {
    member_events_.push_back(std::move(stamped));
  } else if (type == "muted") {
    muted_events_.push_back(std::move(stamped));
  } else if (type == "stats") {
    last_stats_ = message;
  } else if (type == "pong") {
    ++pongs_;
    if (const auto* t = message.if_contains("t"); t && t->is_number()) {
      last_ping_rtt_ms_ = static_cast<double>(NowMs()) - t->to_number<double>();
    }
  } else if (type == "kicked") {
    kicked_reason_ = StringField(message, "reason");
    if (kicked_reason_.empty()) kicked_reason_ = "(no reason)";
    Finish(kOk, "");
  } else if (type == "error") {
    error_events_.push_back(stamped);
    const std::string what =
        "/rtc error " + StringField(message, "code") + ": " + StringField(message, "message");
    if (connected_ms_ == 0) {
      Finish(kJoinFailed, what);
    } else if (StringField(message, "code") == "replaced") {
      Finish(kSignalingLost, what);
    }
  }
}

void Peer::OnJoined(const json::object& message) {
  participant_id_ = StringField(message, "participant_id");
  if (const auto* id = message.if_contains("user_id"); id && id->is_int64()) {
    user_id_ = id->as_int64();
  }
  if (const auto* members = message.if_contains("members")) members_ = *members;
  if (const auto* slots = message.if_contains("slots")) joined_slots_ = *slots;
  std::string error;
  if (!media_->ApplyAnswer(StringField(message, "answer"), &error)) {
    Finish(kMediaFailed, error);
    return;
  }
  SchedulePing();
}

void Peer::OnMediaState(PeerMedia::State state, const std::string& reason) {
  if (state == PeerMedia::State::kConnected) {
    connected_ms_ = NowMs();
    StartCallTimers();
    ScheduleStatus();
  } else if (state == PeerMedia::State::kFailed) {
    Finish(kMediaFailed, "media: " + reason);
  }
}

void Peer::StartCallTimers() {
  call_timer_.expires_after(options_.duration);
  call_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) Finish(kOk, "");
  });
  if (options_.mute_after) {
    mute_timer_.expires_after(*options_.mute_after);
    mute_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || finished_) return;
      muted_at_ms_ = NowMs();
      rtc_->Send(json::serialize(json::object{{"type", "mute"}, {"muted", true}}));
    });
  }
}

void Peer::SchedulePing() {
  if (finished_) return;
  rtc_->Send(json::serialize(json::object{{"type", "ping"}, {"t", NowMs()}}));
  ping_timer_.expires_after(options_.ping_interval);
  ping_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) SchedulePing();
  });
}

void Peer::ScheduleStatus() {
  if (options_.status_file.empty() || finished_) return;
  WriteJsonFile(options_.status_file, Report());
  status_timer_.expires_after(options_.status_interval);
  status_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) ScheduleStatus();
  });
}

bool WriteJsonFile(const std::string& path, const json::object& report) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << json::serialize(report) << "\n";
    if (!out) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

void Peer::Finish(int code, const std::string& error) {
  if (finished_) return;
  finished_ = true;
  code_ = code;
  if (!error.empty()) error_ = error;
  ended_ms_ = NowMs();
  call_timer_.cancel();
  mute_timer_.cancel();
  ping_timer_.cancel();
  status_timer_.cancel();
  if (media_) media_->Close();
  if (rtc_ && rtc_->IsOpen()) {
    rtc_->Send(R"({"type":"leave"})");
    rtc_->Close();
  }
  deadline_.expires_after(kShutdownGrace);
  deadline_.async_wait([this](boost::system::error_code ec) {
    if (!ec) io_.stop();
  });
}

json::object Peer::Report() const {
  json::object report;
  if (media_) report = MediaReport(*media_);
  report["ok"] = code_ == kOk;
  report["exit_code"] = code_;
  report["finished"] = finished_;
  report["error"] = error_;
  report["user"] = options_.user;
  report["user_id"] = user_id_;
  report["participant_id"] = participant_id_;
  report["stream_id"] = options_.stream_id;
  report["room_id"] = join_ ? join_->room_id : std::string();
  report["sfu_url"] = join_ ? join_->sfu_url : std::string();
  report["source"] = source_description_;
  report["server"] = media_ ? media_->ServerAddress() : std::string();
  report["started_ms"] = started_ms_;
  report["connected_ms"] = connected_ms_;
  report["ended_ms"] = ended_ms_;
  report["muted_at_ms"] = muted_at_ms_ != 0 ? json::value(muted_at_ms_) : json::value(nullptr);
  report["events"] =
      json::object{{"counts", event_counts_},         {"members", members_},
                   {"slots", joined_slots_},          {"slot", slot_events_},
                   {"member", member_events_},        {"muted", muted_events_},
                   {"errors", error_events_},         {"last_stats", last_stats_},
                   {"last_speakers", last_speakers_}, {"max_speakers", max_speakers_},
                   {"kicked", kicked_reason_},        {"pongs", pongs_},
                   {"ping_rtt_ms", last_ping_rtt_ms_}};
  return report;
}

}  // namespace chorus::peer
