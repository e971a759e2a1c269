#include "MediaWorker.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "rtc/IceServer.hpp"
#include "rtc/StunPacket.hpp"

namespace chorus::sfu {

namespace {
const rtc::TransportAddress kAnySource;  // empty: the kernel picks the source address
}  // namespace

MediaWorker::MediaWorker(std::size_t index, std::size_t worker_count,
                         std::unique_ptr<net::UdpSocket> socket,
                         std::unique_ptr<net::TcpServer> tcp,
                         const std::vector<std::unique_ptr<MediaWorker>>& peers, RouteTable& routes,
                         std::shared_ptr<const rtc::DtlsContext> dtls, RoomOptions room_options)
    : index_(index),
      socket_(std::move(socket)),
      tcp_(std::move(tcp)),
      peers_(peers),
      routes_(routes),
      dtls_(std::move(dtls)),
      room_options_(room_options),
      loop_(fmt::format("chorus-media-{}", index)),
      wake_pending_(worker_count, false) {
  inbox_.reserve(worker_count);
  for (std::size_t i = 0; i < worker_count; ++i)
    inbox_.push_back(std::make_unique<net::SpscRing>());
  loop_.AddReader(socket_->Fd(), [this] { OnReadable(); });
  if (tcp_) {
    tcp_->SetListener(this);
    loop_.AddReader(tcp_->Fd(), [this] { tcp_->OnReadable(Clock::now()); });
  }
  loop_.AddPeriodic(kTickInterval, [this](Clock::time_point now) { OnTick(now); });
  loop_.SetAfterRound([this] { AfterRound(); });
}

MediaWorker::~MediaWorker() {
  Stop();
}

void MediaWorker::Start() {
  loop_.Start();
}

void MediaWorker::Stop() {
  loop_.Stop();
  // Rooms are destroyed here, on the calling thread, after the loop thread has ended.
  // Moved out first: removing participants calls back into Forget/UpdateGauges, which read rooms_.
  auto rooms = std::move(rooms_);
  rooms_.clear();
  rooms.clear();
}

Room& MediaWorker::RoomFor(const std::string& name) {
  auto& room = rooms_[name];
  if (!room) {
    room = std::make_unique<Room>(name, room_options_, *dtls_, *this, counters_);
    room->SetRemovedHook([this](const Participant& p) { Forget(p); });
    if (const auto pins = pins_.find(name); pins != pins_.end()) room->SetPinned(pins->second);
    UpdateGauges();
  }
  return *room;
}

Room* MediaWorker::FindRoom(const std::string& name) {
  const auto it = rooms_.find(name);
  return it == rooms_.end() ? nullptr : it->second.get();
}

void MediaWorker::SetPinned(const std::string& name, std::vector<std::int64_t> user_ids) {
  if (user_ids.empty()) {
    pins_.erase(name);
  } else {
    pins_[name] = user_ids;
  }
  if (Room* room = FindRoom(name)) room->SetPinned(std::move(user_ids));
}

void MediaWorker::RegisterParticipant(Room& room, Participant& participant) {
  by_ufrag_[participant.LocalUfrag()] = Owner{&room, &participant};
  routes_.SetUfrag(participant.LocalUfrag(), index_);
  UpdateGauges();
}

void MediaWorker::Forget(const Participant& participant) {
  by_ufrag_.erase(participant.LocalUfrag());
  routes_.EraseUfrag(participant.LocalUfrag());
  for (auto it = by_address_.begin(); it != by_address_.end();) {
    if (it->second.participant == &participant) {
      // A TCP path dies with its participant (the browser's new connection brings a new one).
      if (it->first.IsTcp()) {
        if (tcp_) tcp_->Close(it->first.ConnectionId());
      } else {
        routes_.EraseAddress(it->first);
        local_of_remote_.erase(it->first);
      }
      it = by_address_.erase(it);
    } else {
      ++it;
    }
  }
  UpdateGauges();
}

void MediaWorker::UpdateGauges() {
  std::size_t participants = 0;
  for (const auto& [name, room] : rooms_) participants += room->Size();
  room_count_.store(rooms_.size(), std::memory_order_relaxed);
  participant_count_.store(participants, std::memory_order_relaxed);
}

void MediaWorker::SendDatagram(const rtc::TransportAddress& to,
                               std::span<const std::uint8_t> datagram) {
  if (to.IsTcp()) {
    if (tcp_) tcp_->Send(to, datagram);  // counts its own frames and drops
    return;
  }
  const rtc::TransportAddress* source = &kAnySource;
  if (!local_of_remote_.empty()) {
    if (const auto it = local_of_remote_.find(to); it != local_of_remote_.end()) {
      source = &it->second;
    }
  }
  if (socket_->Queue(to, datagram, *source)) WorkerCounters::Bump(counters_.packets_out);
}

void MediaWorker::RememberLocal(const rtc::TransportAddress& from,
                                const rtc::TransportAddress& local) {
  if (!local.IsValid() || from.IsTcp()) return;  // specific bind: the kernel's choice is right
  if (const auto it = local_of_remote_.find(from); it != local_of_remote_.end()) {
    it->second = local;  // the common case: no allocation
    return;
  }
  if (local_of_remote_.size() >= kMaxRememberedLocals) {
    // Full: forget the remotes whose checks never became a path (failed or forged checks). Paths
    // stay; if they alone fill the map, this remote is answered from the kernel's choice.
    std::erase_if(local_of_remote_,
                  [this](const auto& entry) { return !by_address_.contains(entry.first); });
    if (local_of_remote_.size() >= kMaxRememberedLocals) return;
  }
  local_of_remote_.emplace(from, local);
}

void MediaWorker::OnReadable() {
  for (std::size_t round = 0; round < kMaxBatchesPerRound; ++round) {
    const std::size_t n = socket_->ReceiveBatch();
    if (n == 0) break;
    WorkerCounters::Bump(counters_.packets_in, n);
    const auto now = Clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      HandleDatagram(socket_->Data(i), socket_->From(i), socket_->LocalOf(i), now);
    }
    if (n < net::UdpSocket::kBatch) break;
  }
}

void MediaWorker::HandleDatagram(std::span<std::uint8_t> data, const rtc::TransportAddress& from,
                                 const rtc::TransportAddress& local, Clock::time_point now) {
  if (rtc::StunPacket::IsStun(data)) {
    HandleStun(data, from, local, now);
    return;
  }
  if (const auto it = by_address_.find(from); it != by_address_.end()) {
    RememberLocal(from, local);
    it->second.room->OnDatagram(*it->second.participant, data, now);
    return;
  }
  // Not ours: the participant may live on another worker (the kernel's SO_REUSEPORT hash put
  // this 4-tuple here). Ask the cache, then the global table.
  if (const auto it = foreign_addresses_.find(from); it != foreign_addresses_.end()) {
    HandOff(it->second, data, from, local);
    return;
  }
  if (const auto worker = routes_.FindAddress(from); worker && *worker != index_) {
    foreign_addresses_[from] = *worker;
    HandOff(*worker, data, from, local);
    return;
  }
  WorkerCounters::Bump(counters_.drop_unknown);
}

void MediaWorker::HandleStun(std::span<std::uint8_t> data, const rtc::TransportAddress& from,
                             const rtc::TransportAddress& local, Clock::time_point now) {
  const auto packet = rtc::StunPacket::Parse(data);
  if (!packet) {
    WorkerCounters::Bump(counters_.drop_malformed);
    return;
  }
  const auto ufrag = rtc::IceServer::LocalUfragOf(*packet);
  if (!ufrag) {
    WorkerCounters::Bump(counters_.drop_malformed);
    return;
  }
  // unordered_map<std::string> has no heterogeneous find in C++20 without a transparent hash;
  // a small std::string of <= 15 chars stays in SSO storage, so this does not allocate.
  const std::string key(*ufrag);
  if (const auto it = by_ufrag_.find(key); it != by_ufrag_.end()) {
    const Owner owner = it->second;
    RememberLocal(from, local);  // before the response, which must leave from `local`
    const auto result = owner.room->OnStun(*owner.participant, *packet, from, now);
    if (result.valid && !by_address_.contains(from)) {
      by_address_[from] = owner;
      routes_.SetAddress(from, index_);
    }
    return;
  }
  auto cached = foreign_ufrags_.find(key);
  if (cached == foreign_ufrags_.end()) {
    const auto worker = routes_.FindUfrag(key);
    if (!worker || *worker == index_) {
      WorkerCounters::Bump(counters_.drop_unknown);
      return;
    }
    cached = foreign_ufrags_.emplace(key, *worker).first;
  }
  HandOff(cached->second, data, from, local);
}

void MediaWorker::HandOff(std::size_t worker, std::span<const std::uint8_t> data,
                          const rtc::TransportAddress& from, const rtc::TransportAddress& local) {
  // The arrival address travels along: the owner sends the replies, from the same address.
  if (worker >= peers_.size() || !peers_[worker]->InboxFrom(index_).TryPush(from, local, data)) {
    WorkerCounters::Bump(counters_.drop_handoff);
    return;
  }
  WorkerCounters::Bump(counters_.handed_off);
  wake_pending_[worker] = true;
}

void MediaWorker::DrainHandoffs() {
  const auto now = Clock::now();
  for (auto& ring : inbox_) {
    while (auto* datagram = ring->Front()) {
      HandleDatagram(std::span(datagram->data.data(), datagram->length), datagram->from,
                     datagram->local, now);
      ring->Pop();
    }
  }
}

void MediaWorker::AfterRound() {
  DrainHandoffs();
  socket_->Flush();
  if (tcp_) tcp_->Flush();
  for (std::size_t i = 0; i < wake_pending_.size(); ++i) {
    if (!wake_pending_[i]) continue;
    wake_pending_[i] = false;
    peers_[i]->Wake();
  }
}

void MediaWorker::OnTick(Clock::time_point now) {
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    it->second->Tick(now);
    if (it->second->Size() == 0) {
      it = rooms_.erase(it);
      UpdateGauges();
    } else {
      ++it;
    }
  }
  if (tcp_) tcp_->Expire(now);
  // Forget cached foreign routes the owner has dropped, so the caches do not grow forever.
  if (foreign_addresses_.size() > 4096) foreign_addresses_.clear();
  if (foreign_ufrags_.size() > 4096) foreign_ufrags_.clear();
}

// RFC 6544 §7.2: checks, DTLS and SRTP arrive on the connection as on a UDP path. A connection
// belongs to the one participant whose valid check bound it; everything else on it is refused.
net::TcpServer::Verdict MediaWorker::OnTcpFrame(net::TcpConnection& connection,
                                                std::span<std::uint8_t> frame,
                                                Clock::time_point now, std::size_t* hand_off_to) {
  const rtc::TransportAddress& path = connection.Path();
  const auto it = by_address_.find(path);
  if (it == by_address_.end()) return OnUnboundTcpFrame(connection, frame, now, hand_off_to);
  const Owner owner = it->second;
  if (!rtc::StunPacket::IsStun(frame)) {
    owner.room->OnDatagram(*owner.participant, frame, now);
    return net::TcpServer::Verdict::kKeep;
  }
  const auto packet = rtc::StunPacket::Parse(frame);
  if (!packet) {
    WorkerCounters::Bump(counters_.drop_malformed);
    return net::TcpServer::Verdict::kKeep;
  }
  // The participant's IceServer answers 401 to a check naming anyone else.
  const auto result = owner.room->OnStun(*owner.participant, *packet, path, now);
  if (result.valid) connection.MarkAlive(now);  // consent (RFC 7675) keeps the connection open
  return net::TcpServer::Verdict::kKeep;
}

net::TcpServer::Verdict MediaWorker::OnUnboundTcpFrame(net::TcpConnection& connection,
                                                       std::span<std::uint8_t> frame,
                                                       Clock::time_point now,
                                                       std::size_t* hand_off_to) {
  // RFC 6544 §7.2: the first thing on a passive candidate's connection is the peer's check.
  if (!rtc::StunPacket::IsStun(frame)) return net::TcpServer::Verdict::kClose;
  const auto packet = rtc::StunPacket::Parse(frame);
  if (!packet || packet->Method() != rtc::stun::kMethodBinding ||
      packet->Class() != rtc::stun::StunClass::kRequest) {
    return net::TcpServer::Verdict::kClose;
  }
  const auto ufrag = rtc::IceServer::LocalUfragOf(*packet);
  if (!ufrag) return net::TcpServer::Verdict::kClose;
  const std::string key(*ufrag);  // short: stays in SSO storage
  if (const auto it = by_ufrag_.find(key); it != by_ufrag_.end()) {
    const Owner owner = it->second;
    const rtc::TransportAddress& path = connection.Path();
    const auto result = owner.room->OnStun(*owner.participant, *packet, path, now);
    if (result.valid) {
      by_address_[path] = owner;
      connection.MarkAlive(now);
      spdlog::info("[ice] tcp path bound participant={} user={} path={}", owner.participant->Id(),
                   owner.participant->UserId(), path.ToString());
    }
    // A refused check got its error response; the bind timeout closes a connection that never
    // brings a valid one.
    return net::TcpServer::Verdict::kKeep;
  }
  const auto worker = routes_.FindUfrag(key);
  if (!worker || *worker == index_ || *worker >= peers_.size() || connection.Adopted()) {
    WorkerCounters::Bump(counters_.drop_unknown);
    return net::TcpServer::Verdict::kClose;
  }
  *hand_off_to = *worker;
  return net::TcpServer::Verdict::kHandOff;
}

void MediaWorker::OnTcpClosed(const rtc::TransportAddress& path) {
  by_address_.erase(path);
}

void MediaWorker::OnTcpHandOff(net::TcpHandoff handoff, std::size_t worker) {
  // Once per connection (control plane): the owner adopts the socket and its unread bytes. A
  // refused post drops the handoff, whose destructor closes the socket.
  MediaWorker* owner = peers_[worker].get();
  auto moved = std::make_shared<net::TcpHandoff>(std::move(handoff));
  owner->Post([owner, moved] {
    if (owner->tcp_) owner->tcp_->Adopt(std::move(*moved), Clock::now());
  });
}

}  // namespace chorus::sfu
