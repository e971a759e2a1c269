#include "Sfu.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <future>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "MediaWorker.hpp"
#include "RouteTable.hpp"
#include "net/TcpServer.hpp"
#include "net/UdpSocket.hpp"
#include "rtc/DtlsContext.hpp"
#include "rtc/IceCredentials.hpp"
#include "rtc/SdpAnswerBuilder.hpp"
#include "rtc/SdpOffer.hpp"
#include "rtc/SrtpSession.hpp"

namespace chorus::sfu {
namespace {

std::uint32_t RandomU32() {
  std::uint32_t value = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof(value));
  return value;
}

std::string RandomHex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  RAND_bytes(raw.data(), static_cast<int>(raw.size()));
  std::string out;
  for (auto b : raw) out += fmt::format("{:02x}", b);
  return out;
}

// The longest frame an ICE-TCP connection may carry: an MTU-sized packet plus the SRTP trailer
// (RFC 4571 frames hold one packet each); a longer LENGTH closes the connection.
constexpr std::size_t kMaxTcpFrameBytes = 1500 + rtc::SrtpSession::kMaxRtcpTrailerBytes;
// Framed bytes queued per connection for a slow reader before frames are dropped (~1.5 s of
// four forwarded Opus streams).
constexpr std::size_t kTcpSendBufferBytes = std::size_t{64} * 1024;

JoinResult Failure(std::string code, std::string message) {
  JoinResult result;
  result.error_code = std::move(code);
  result.error_message = std::move(message);
  return result;
}

}  // namespace

Sfu::Sfu(SfuConfig config) : config_(std::move(config)) {}

std::unique_ptr<Sfu> Sfu::Start(const SfuConfig& config) {
  std::unique_ptr<Sfu> sfu(new Sfu(config));
  auto dtls = rtc::DtlsContext::Create();
  if (!dtls) throw std::runtime_error("SFU: cannot create the DTLS certificate/context");
  sfu->dtls_ = std::move(dtls);
  sfu->routes_ = std::make_unique<RouteTable>();
  std::size_t count = config.workers;
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  auto bind = rtc::TransportAddress::FromString(config.bind, config.udp_port);
  if (!bind)
    throw std::runtime_error("SFU: --rtc-bind is not a numeric IP address: " + config.bind);
  if (config.announce_ips.empty() ||
      config.announce_ips.size() > rtc::SdpAnswerOptions::kMaxAnnounceIps) {
    throw std::runtime_error("SFU: announce 1 to 8 addresses");
  }
  for (const auto& ip : config.announce_ips) {
    // Refused here, not at the first join (which would fail with sdp_invalid_argument).
    if (!rtc::TransportAddress::FromString(ip, 1)) {
      throw std::runtime_error("SFU: --rtc-announce-ip is not a numeric IP address: " + ip);
    }
  }
  RoomOptions room_options;
  room_options.audio_slots = std::max<std::size_t>(1, config.audio_slots);
  room_options.consent_timeout = config.consent_timeout;
  net::TcpServerOptions tcp_options;
  tcp_options.max_frame_bytes = kMaxTcpFrameBytes;
  tcp_options.send_buffer_bytes = kTcpSendBufferBytes;
  tcp_options.max_connections = config.tcp_max_connections;
  tcp_options.bind_timeout = config.tcp_bind_timeout;
  tcp_options.idle_timeout = config.tcp_idle_timeout;
  const bool tcp = config.tcp_max_connections > 0;
  for (std::size_t i = 0; i < count; ++i) {
    std::string error;
    auto socket = net::UdpSocket::Open(*bind, true, &error);
    if (!socket) throw std::runtime_error("SFU: " + error);
    if (i == 0) {
      sfu->udp_port_ = socket->LocalPort();
      // Every further worker binds the very port the first one got (matters for port 0).
      bind = rtc::TransportAddress::FromString(config.bind, sfu->udp_port_);
      sfu->tcp_port_ = config.tcp_port.value_or(sfu->udp_port_);
    }
    std::unique_ptr<net::TcpServer> tcp_server;
    if (tcp) {
      const auto tcp_bind = rtc::TransportAddress::FromString(config.bind, sfu->tcp_port_);
      tcp_server = net::TcpServer::Open(*tcp_bind, tcp_options, sfu->tcp_open_, &error);
      if (!tcp_server) throw std::runtime_error("SFU: ICE-TCP: " + error);
      sfu->tcp_port_ = tcp_server->LocalPort();  // the one a port 0 picked, for the others
    }
    sfu->workers_.push_back(std::make_unique<MediaWorker>(i, count, std::move(socket),
                                                          std::move(tcp_server), sfu->workers_,
                                                          *sfu->routes_, sfu->dtls_, room_options));
  }
  if (!tcp) sfu->tcp_port_ = 0;
  sfu->rooms_per_worker_.assign(count, 0);
  for (auto& worker : sfu->workers_) worker->Start();
  spdlog::info("[sfu] started port={} tcp_port={} bind={} announce={} workers={} slots={}",
               sfu->udp_port_, sfu->tcp_port_, config.bind, fmt::join(config.announce_ips, ","),
               count, room_options.audio_slots);
  return sfu;
}

Sfu::~Sfu() {
  for (auto& worker : workers_) worker->Stop();
  workers_.clear();
}

MediaWorker& Sfu::WorkerFor(const std::string& room) {
  std::lock_guard lock(mu_);
  auto it = room_workers_.find(room);
  if (it == room_workers_.end()) {
    const auto least = std::min_element(rooms_per_worker_.begin(), rooms_per_worker_.end());
    const auto index = static_cast<std::size_t>(least - rooms_per_worker_.begin());
    ++*least;
    it = room_workers_.emplace(room, index).first;
  }
  return *workers_[it->second];
}

MediaWorker* Sfu::ExistingWorkerFor(const std::string& room) {
  std::lock_guard lock(mu_);
  const auto it = room_workers_.find(room);
  return it == room_workers_.end() ? nullptr : workers_[it->second].get();
}

void Sfu::Join(JoinRequest request, EventSink sink, JoinCallback done) {
  auto offer = rtc::SdpOffer::Parse(request.offer_sdp);
  if (!offer) {
    done(Failure(std::string(rtc::SdpErrorCodeName(offer.Error().code)), offer.Error().message));
    return;
  }
  auto credentials = rtc::IceCredentials::Generate();
  if (!credentials) {
    done(Failure("internal", "cannot generate ICE credentials"));
    return;
  }
  rtc::SdpAnswerOptions options;
  options.ice_ufrag = credentials->ufrag;
  options.ice_pwd = credentials->pwd;
  options.fingerprint = "sha-256 " + dtls_->FingerprintSha256();
  options.announce_ips = config_.announce_ips;
  options.announce_port = udp_port_;
  options.announce_tcp_port = tcp_port_;
  options.cname = "chorus";
  options.session_id = RandomU32();
  const std::size_t slots = std::min(std::max<std::size_t>(1, config_.audio_slots),
                                     offer.Value().ReceiveIndices().size());
  while (options.slot_ssrcs.size() < slots) {
    const std::uint32_t ssrc = RandomU32();
    if (ssrc != 0 && std::find(options.slot_ssrcs.begin(), options.slot_ssrcs.end(), ssrc) ==
                         options.slot_ssrcs.end()) {
      options.slot_ssrcs.push_back(ssrc);
    }
  }
  auto answer = rtc::SdpAnswerBuilder::Build(offer.Value(), options);
  if (!answer) {
    done(Failure(std::string(rtc::SdpErrorCodeName(answer.Error().code)), answer.Error().message));
    return;
  }
  const auto& fingerprint = offer.Value().Fingerprint().ToString();
  const auto space = fingerprint.find(' ');
  ParticipantOptions participant;
  participant.participant_id = RandomHex(8);
  participant.user_id = request.user_id;
  participant.username = request.username;
  participant.can_publish = request.can_publish;
  participant.local_ufrag = credentials->ufrag;
  participant.local_pwd = credentials->pwd;
  participant.remote_ufrag = offer.Value().IceUfrag();
  participant.fingerprint_algorithm = fingerprint.substr(0, space);
  participant.fingerprint_hex = space == std::string::npos ? "" : fingerprint.substr(space + 1);
  participant.upstream = answer.Value().upstream;
  participant.slots = answer.Value().slots;

  JoinResult result;
  result.ok = true;
  result.answer_sdp = answer.Value().sdp;
  result.participant_id = participant.participant_id;
  for (const auto& slot : answer.Value().slots) {
    result.slots.push_back({slot.slot_index, slot.params.mid, slot.ssrc});
  }
  MediaWorker& worker = WorkerFor(request.room);
  // The ufrag route is published before the answer leaves, so the first ICE check finds its
  // owner from whichever worker the kernel hands it to.
  routes_->SetUfrag(participant.local_ufrag, worker.Index());
  auto shared = std::make_shared<
      std::tuple<JoinRequest, EventSink, JoinCallback, ParticipantOptions, JoinResult>>(
      std::move(request), std::move(sink), std::move(done), std::move(participant),
      std::move(result));
  const bool posted = worker.Post([&worker, shared] {
    auto& [req, event_sink, callback, opts, res] = *shared;
    Room& room = worker.RoomFor(req.room);
    Participant& added =
        room.Add(std::move(opts), std::move(event_sink), std::chrono::steady_clock::now());
    worker.RegisterParticipant(room, added);
    res.members = room.Members();
    spdlog::info("[room] participant joined room={} user={} participant={}", req.room, req.user_id,
                 added.Id());
    // Slot events for speakers already talking were emitted by Add (before this reply): the
    // signaling side holds events back until it has sent the join reply.
    callback(std::move(res));
  });
  if (!posted) {
    routes_->EraseUfrag(std::get<3>(*shared).local_ufrag);
    std::get<2> (*shared)(Failure("unavailable", "the media worker is overloaded"));
  }
}

void Sfu::Leave(const std::string& room, std::int64_t user_id, const std::string& participant_id) {
  MediaWorker* worker = ExistingWorkerFor(room);
  if (!worker) return;
  worker->Post([worker, room, user_id, participant_id] {
    Room* r = worker->FindRoom(room);
    if (!r) return;
    Participant* p = r->Find(user_id);
    if (!p || (!participant_id.empty() && p->Id() != participant_id)) return;
    r->Remove(user_id, RemovalReason::kLeft);
  });
}

void Sfu::SetMuted(const std::string& room, std::int64_t user_id, bool muted, bool by_host) {
  MediaWorker* worker = ExistingWorkerFor(room);
  if (!worker) return;
  worker->Post([worker, room, user_id, muted, by_host] {
    if (Room* r = worker->FindRoom(room)) r->SetMuted(user_id, muted, by_host);
  });
}

void Sfu::SetPinned(const std::string& room, std::vector<std::int64_t> user_ids) {
  // WorkerFor, not ExistingWorkerFor: pins set before anyone joined must wait on the worker the
  // room will live on (rooms never move). Clearing the pins of a room never seen needs no worker.
  if (user_ids.empty() && !ExistingWorkerFor(room)) return;
  MediaWorker& worker = WorkerFor(room);
  const bool posted = worker.Post([&worker, room, ids = std::move(user_ids)]() mutable {
    worker.SetPinned(room, std::move(ids));
  });
  if (!posted) spdlog::warn("[room] pins not applied (worker queue full) room={}", room);
}

void Sfu::Kick(const std::string& room, std::int64_t user_id, const std::string& reason) {
  MediaWorker* worker = ExistingWorkerFor(room);
  if (!worker) return;
  worker->Post([worker, room, user_id, reason] {
    if (Room* r = worker->FindRoom(room)) r->Remove(user_id, RemovalReason::kKicked, reason);
  });
}

void Sfu::Remove(const std::string& room, std::int64_t user_id, RemovalReason reason,
                 const std::string& message, const std::string& participant_id) {
  MediaWorker* worker = ExistingWorkerFor(room);
  if (!worker) return;
  worker->Post([worker, room, user_id, reason, message, participant_id] {
    Room* r = worker->FindRoom(room);
    if (!r) return;
    Participant* p = r->Find(user_id);
    if (!p || (!participant_id.empty() && p->Id() != participant_id)) return;
    r->Remove(user_id, reason, message);
  });
}

void Sfu::RemoveAll(const std::string& room, RemovalReason reason, const std::string& message) {
  if (!room.empty()) {
    MediaWorker* worker = ExistingWorkerFor(room);
    if (!worker) return;
    worker->Post([worker, room, reason, message] {
      if (Room* r = worker->FindRoom(room)) r->RemoveAll(reason, message);
    });
    return;
  }
  std::vector<std::string> rooms;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, index] : room_workers_) rooms.push_back(name);
  }
  for (const auto& name : rooms) RemoveAll(name, reason, message);
}

void Sfu::RoomSnapshot(const std::string& room, std::function<void(std::vector<MemberInfo>)> done) {
  MediaWorker* worker = ExistingWorkerFor(room);
  if (!worker) {
    done({});
    return;
  }
  auto callback = std::make_shared<std::function<void(std::vector<MemberInfo>)>>(std::move(done));
  const bool posted = worker->Post([worker, room, callback] {
    Room* r = worker->FindRoom(room);
    (*callback)(r ? r->Members() : std::vector<MemberInfo>{});
  });
  if (!posted) (*callback)({});
}

std::vector<MemberInfo> Sfu::RoomSnapshot(const std::string& room) {
  auto promise = std::make_shared<std::promise<std::vector<MemberInfo>>>();
  auto future = promise->get_future();
  RoomSnapshot(
      room, [promise](std::vector<MemberInfo> members) { promise->set_value(std::move(members)); });
  if (future.wait_for(std::chrono::seconds(1)) != std::future_status::ready) return {};
  return future.get();
}

SfuStats Sfu::Stats() const {
  SfuStats stats;
  stats.workers = workers_.size();
  const auto load = [](const std::atomic<std::uint64_t>& c) {
    return c.load(std::memory_order_relaxed);
  };
  for (const auto& worker : workers_) {
    const auto& c = worker->Counters();
    stats.packets_in += load(c.packets_in);
    stats.packets_out += load(c.packets_out);
    stats.forwarded += load(c.forwarded);
    stats.handed_off += load(c.handed_off);
    stats.dropped_malformed += load(c.drop_malformed);
    stats.dropped_unknown += load(c.drop_unknown);
    stats.dropped_srtp += load(c.drop_srtp);
    stats.dropped_muted += load(c.drop_muted);
    stats.dropped_not_ready += load(c.drop_not_ready);
    stats.dropped_handoff += load(c.drop_handoff);
    stats.rooms += worker->RoomCount();
    stats.participants += worker->ParticipantCount();
    if (const net::TcpServer* tcp = worker->Tcp()) {
      const auto& t = tcp->Counters();
      stats.tcp_accepted += load(t.accepted);
      stats.tcp_refused += load(t.refused);
      stats.tcp_closed_unbound += load(t.closed_unbound);
      stats.tcp_closed_idle += load(t.closed_idle);
      stats.tcp_closed_oversize += load(t.closed_oversize);
      stats.tcp_closed_peer += load(t.closed_peer);
      stats.tcp_handed_off += load(t.handed_off);
      stats.tcp_frames_in += load(t.frames_in);
      stats.tcp_frames_out += load(t.frames_out);
      stats.tcp_send_dropped += load(t.send_dropped);
    }
  }
  stats.tcp_connections = tcp_open_.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace chorus::sfu
