// Packet counters of one media worker, for metrics. Written only by the worker thread (relaxed
// load+store, no locked instruction on the packet path), read by any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace chorus::sfu {

struct WorkerCounters {
  std::atomic<std::uint64_t> packets_in{0};      // datagrams received
  std::atomic<std::uint64_t> packets_out{0};     // datagrams sent
  std::atomic<std::uint64_t> forwarded{0};       // RTP packets forwarded to a subscriber slot
  std::atomic<std::uint64_t> handed_off{0};      // datagrams passed to the owning worker
  std::atomic<std::uint64_t> drop_malformed{0};  // not STUN/DTLS/RTP/RTCP, or failed to parse
  std::atomic<std::uint64_t> drop_unknown{0};    // no participant for that ufrag/address
  std::atomic<std::uint64_t> drop_srtp{0};       // SRTP/SRTCP authentication or replay failure
  std::atomic<std::uint64_t> drop_muted{0};      // from a muted participant
  std::atomic<std::uint64_t> drop_not_ready{0};  // before DTLS-SRTP keys, or unexpected SSRC
  std::atomic<std::uint64_t> drop_handoff{0};    // the owner's handoff ring was full

  // Adds `n` to a counter owned by the calling (worker) thread.
  static void Bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

}  // namespace chorus::sfu
