// A bounded single-producer/single-consumer ring of fixed-size datagram slots, preallocated, with
// no locks and no allocation per element: how a worker hands a datagram that arrived on its
// socket to the worker that owns the participant (SO_REUSEPORT spreads remote addresses over
// workers, rooms are pinned to one).
// Thread affinity: TryPush from the producer thread only, TryPop from the consumer thread only.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

#include "rtc/TransportAddress.hpp"

namespace chorus::net {

struct HandoffDatagram {
  static constexpr std::size_t kMaxBytes = 2048;
  rtc::TransportAddress from;
  rtc::TransportAddress local;  // the local address it arrived on (UdpSocket::LocalOf), or empty
  std::size_t length = 0;
  std::array<std::uint8_t, kMaxBytes> data{};
};

class SpscRing {
 public:
  static constexpr std::size_t kSlots = 256;  // power of two

  SpscRing() : slots_(std::make_unique<HandoffDatagram[]>(kSlots)) {}

  // Copies the datagram (with the remote address it came from and the local address it arrived
  // on) in; false when the ring is full or the datagram too large (dropped).
  bool TryPush(const rtc::TransportAddress& from, const rtc::TransportAddress& local,
               std::span<const std::uint8_t> data) {
    if (data.size() > HandoffDatagram::kMaxBytes) return false;
    const auto head = head_.load(std::memory_order_relaxed);
    if (head - tail_.load(std::memory_order_acquire) >= kSlots) return false;
    auto& slot = slots_[head & (kSlots - 1)];
    slot.from = from;
    slot.local = local;
    slot.length = data.size();
    std::memcpy(slot.data.data(), data.data(), data.size());
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

  // The oldest datagram, or nullptr when empty; call Pop() when done with it.
  HandoffDatagram* Front() {
    const auto tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_.load(std::memory_order_acquire)) return nullptr;
    return &slots_[tail & (kSlots - 1)];
  }
  void Pop() { tail_.store(tail_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }

 private:
  std::unique_ptr<HandoffDatagram[]> slots_;
  alignas(64) std::atomic<std::uint64_t> head_{0};
  alignas(64) std::atomic<std::uint64_t> tail_{0};
};

}  // namespace chorus::net
