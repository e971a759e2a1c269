// One media worker: an epoll loop thread with its own UDP socket bound to the shared port
// (SO_REUSEPORT), the rooms pinned to it, and the demultiplexer of the packet path
// (DESIGN.md "Threads and data flow"): recvmmsg → RFC 7983 demux → owner lookup (ICE ufrag for
// STUN, then remote address) → the room, or a handoff through a lock-free SPSC ring to the worker
// that owns the participant → batched sendmmsg.
// ICE-TCP (optional TcpServer, RFC 6544): each worker also listens on the TCP media port
// (SO_REUSEPORT). A connection's first frame must be a STUN binding request naming a known ufrag;
// when that participant lives on another worker, the whole connection moves there once
// (TcpHandoff), so afterwards its frames take the same demux as datagrams on the owner's thread,
// with the connection-tagged TransportAddress as the path, and replies go out framed on it.
// Source addresses: bound to a wildcard address, the worker remembers per remote UDP address the
// local address that remote's datagrams last arrived on (reported by the socket, carried along a
// handoff) and sends everything for that remote from it, so replies come from the address the
// remote sent to (RFC 8445 §7.2.5.2.1).
// Thread affinity: Post()/Start()/Stop()/counters from any thread; everything else runs on the
// worker thread (inside posted tasks).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "RouteTable.hpp"
#include "net/EventLoop.hpp"
#include "net/SpscRing.hpp"
#include "net/TcpServer.hpp"
#include "net/UdpSocket.hpp"
#include "room/PacketOutput.hpp"
#include "room/Room.hpp"
#include "room/WorkerCounters.hpp"
#include "rtc/DtlsContext.hpp"

namespace chorus::sfu {

class MediaWorker : public PacketOutput, private net::TcpServer::Listener {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kTickInterval = std::chrono::milliseconds(10);
  static constexpr std::size_t kMaxBatchesPerRound = 8;      // fairness with timers and posts
  static constexpr std::size_t kMaxRememberedLocals = 4096;  // remote → local address entries

  // `peers` is the list of all workers (this one included) for handoffs; it must be complete
  // before Start() and stay alive. `tcp` (may be null: no ICE-TCP) listens on the TCP port.
  MediaWorker(std::size_t index, std::size_t worker_count, std::unique_ptr<net::UdpSocket> socket,
              std::unique_ptr<net::TcpServer> tcp,
              const std::vector<std::unique_ptr<MediaWorker>>& peers, RouteTable& routes,
              std::shared_ptr<const rtc::DtlsContext> dtls, RoomOptions room_options);
  ~MediaWorker() override;

  void Start();
  void Stop();
  // Runs `task` on the worker thread; false if the queue is full or the worker stopped.
  bool Post(std::function<void()> task) { return loop_.Post(std::move(task)); }

  // Worker thread only: the room named `name`, created on first use.
  Room& RoomFor(const std::string& name);
  Room* FindRoom(const std::string& name);
  // Worker thread only: replaces the pinned user ids of room `name`. They are kept here while
  // the room is empty or not created yet (rooms stay on one worker), and given to it by RoomFor.
  void SetPinned(const std::string& name, std::vector<std::int64_t> user_ids);
  // Worker thread only: makes `participant` of `room` reachable by its ICE ufrag.
  void RegisterParticipant(Room& room, Participant& participant);

  const WorkerCounters& Counters() const { return counters_; }
  std::size_t RoomCount() const { return room_count_.load(std::memory_order_relaxed); }
  std::size_t ParticipantCount() const {
    return participant_count_.load(std::memory_order_relaxed);
  }
  std::size_t Index() const { return index_; }
  const net::UdpSocket& Socket() const { return *socket_; }
  // The ICE-TCP server (nullptr without ICE-TCP); its counters may be read from any thread.
  const net::TcpServer* Tcp() const { return tcp_.get(); }

  // PacketOutput: queues into the batched socket, from the local address `to`'s datagrams last
  // arrived on when one is known (wildcard bind), or framed on the TCP connection a TCP path
  // names (worker thread).
  void SendDatagram(const rtc::TransportAddress& to,
                    std::span<const std::uint8_t> datagram) override;

  // Worker thread: processes one datagram from `from` that arrived on local address `local`
  // (empty when the socket is bound to a specific address). Also used by tests to inject
  // datagrams.
  void HandleDatagram(std::span<std::uint8_t> data, const rtc::TransportAddress& from,
                      const rtc::TransportAddress& local, Clock::time_point now);

 private:
  struct Owner {
    Room* room = nullptr;
    Participant* participant = nullptr;
  };

  void OnReadable();
  void DrainHandoffs();
  void AfterRound();
  void OnTick(Clock::time_point now);
  void HandleStun(std::span<std::uint8_t> data, const rtc::TransportAddress& from,
                  const rtc::TransportAddress& local, Clock::time_point now);
  void HandOff(std::size_t worker, std::span<const std::uint8_t> data,
               const rtc::TransportAddress& from, const rtc::TransportAddress& local);
  // Records that `from`'s datagrams (one this worker handles) now arrive on `local`.
  void RememberLocal(const rtc::TransportAddress& from, const rtc::TransportAddress& local);
  void Forget(const Participant& participant);
  void UpdateGauges();

  // net::TcpServer::Listener (worker thread).
  net::TcpServer::Verdict OnTcpFrame(net::TcpConnection& connection, std::span<std::uint8_t> frame,
                                     Clock::time_point now, std::size_t* hand_off_to) override;
  void OnTcpClosed(const rtc::TransportAddress& path) override;
  void OnTcpHandOff(net::TcpHandoff handoff, std::size_t worker) override;
  // The first frames of a connection no participant holds yet (see OnTcpFrame).
  net::TcpServer::Verdict OnUnboundTcpFrame(net::TcpConnection& connection,
                                            std::span<std::uint8_t> frame, Clock::time_point now,
                                            std::size_t* hand_off_to);

  std::size_t index_;
  std::unique_ptr<net::UdpSocket> socket_;
  std::unique_ptr<net::TcpServer> tcp_;
  const std::vector<std::unique_ptr<MediaWorker>>& peers_;
  RouteTable& routes_;
  std::shared_ptr<const rtc::DtlsContext> dtls_;
  RoomOptions room_options_;
  net::EventLoop loop_;
  WorkerCounters counters_;

  std::unordered_map<std::string, std::unique_ptr<Room>> rooms_;
  std::unordered_map<std::string, std::vector<std::int64_t>> pins_;  // rooms with pinned users
  std::unordered_map<std::string, Owner> by_ufrag_;
  // Validated paths: UDP addresses, and TCP connections (addresses tagged with their id).
  std::unordered_map<rtc::TransportAddress, Owner> by_address_;
  // Wildcard bind only: per remote UDP address (of a participant of this worker, or one that
  // sent a check naming one), the local address its datagrams last arrived on, which is where
  // everything sent to it leaves from. At most kMaxRememberedLocals entries.
  std::unordered_map<rtc::TransportAddress, rtc::TransportAddress> local_of_remote_;
  // Cache of other workers' participants (worker index), filled from RouteTable on a miss.
  std::unordered_map<std::string, std::size_t> foreign_ufrags_;
  std::unordered_map<rtc::TransportAddress, std::size_t> foreign_addresses_;
  // Inbound handoff rings, one per producer worker (index = producer).
  std::vector<std::unique_ptr<net::SpscRing>> inbox_;
  std::vector<bool> wake_pending_;  // peers we handed datagrams to in this round

  std::atomic<std::size_t> room_count_{0};
  std::atomic<std::size_t> participant_count_{0};

 public:
  // The ring peer `producer` pushes into (used by the producer's thread only).
  net::SpscRing& InboxFrom(std::size_t producer) { return *inbox_[producer]; }
  void Wake() { loop_.Wake(); }
};

}  // namespace chorus::sfu
