// The forwarding path allocates nothing after warm-up: operator new is replaced in this test
// binary and the count is checked around thousands of forwarded packets, RTCP reports and timer
// ticks. malloc/calloc/realloc are interposed as well, to measure what the C libraries below us
// do: Debian's libsrtp2 is built on NSS, whose PK11_Encrypt/PK11_Decrypt allocate a context per
// call; that count is reported (not asserted) until SRTP moves to a non-allocating backend.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "AllocationCounter.hpp"
#include "RoomTestPeer.hpp"
#include "rtc/DtlsContext.hpp"

#if CHORUS_COUNTING_ALLOCATIONS
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* ptr, std::size_t size);
}

// Shared through AllocationCounter.hpp with other tests of this binary (SrtpGcmTest).
namespace chorus::test {
std::atomic<bool> g_counting{false};
std::atomic<std::uint64_t> g_allocations{0};    // operator new (C++: our code, libstdc++)
std::atomic<std::uint64_t> g_c_allocations{0};  // malloc family (all code, C libraries too)
}  // namespace chorus::test

using chorus::test::g_allocations;
using chorus::test::g_c_allocations;
using chorus::test::g_counting;

namespace {
void Count() {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_c_allocations.fetch_add(1, std::memory_order_relaxed);
  }
}
}  // namespace

void* operator new(std::size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  if (void* p = __libc_malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

// Interposed for the whole binary; they only count while a test enables it.
extern "C" void* malloc(std::size_t size) {
  Count();
  return __libc_malloc(size);
}
extern "C" void* calloc(std::size_t count, std::size_t size) {
  Count();
  return __libc_calloc(count, size);
}
extern "C" void* realloc(void* ptr, std::size_t size) {
  Count();
  return __libc_realloc(ptr, size);
}
#else
// Sanitized build: the runtime's allocator stays in place and nothing is counted.
namespace chorus::test {
std::atomic<bool> g_counting{false};
std::atomic<std::uint64_t> g_allocations{0};
std::atomic<std::uint64_t> g_c_allocations{0};
}  // namespace chorus::test

using chorus::test::g_allocations;
using chorus::test::g_c_allocations;
using chorus::test::g_counting;
#endif  // CHORUS_COUNTING_ALLOCATIONS

namespace chorus::sfu::test {
namespace {

using std::chrono::milliseconds;

TEST(RoomAllocationTest, CounterSeesAllocations) {
  if (!CHORUS_COUNTING_ALLOCATIONS) GTEST_SKIP() << "allocation hooks are off under sanitizers";
  g_allocations = 0;
  g_counting = true;
  g_c_allocations = 0;
  auto* p = new std::vector<int>(100);
  // Through a volatile pointer: compilers may elide a visible malloc/free pair.
  void* (*volatile c_malloc)(std::size_t) = &malloc;
  void* q = c_malloc(10);
  g_counting = false;
  delete p;
  std::free(q);
  EXPECT_GE(g_allocations.load(), 2u) << "the counter must work for the next test to mean much";
  EXPECT_GE(g_c_allocations.load(), 1u);
}

TEST(RoomAllocationTest, ForwardingAllocatesNothingAfterWarmUp) {
  if (!CHORUS_COUNTING_ALLOCATIONS) GTEST_SKIP() << "allocation hooks are off under sanitizers";
  auto dtls = rtc::DtlsContext::Create();
  CapturingOutput output;
  output.counting_only = true;
  WorkerCounters counters;
  RoomOptions options;
  options.audio_slots = 2;
  Room room("stream-1", options, *dtls, output, counters);
  FakePeer a(1, 10001, 2), b(2, 10002, 2), c(3, 10003, 2), d(4, 10004, 2);
  Participant& pa = a.Join(room, Clock::now());
  Participant& pb = b.Join(room, Clock::now());
  Participant& pc = c.Join(room, Clock::now());
  Participant& pd = d.Join(room, Clock::now());
  // B (the quieter) is pinned, so selection ranks by pin as well as loudness on every Tick.
  room.SetPinned({2});
  const auto t0 = Clock::now();
  // Packets are built before counting (the fake browser's own work is not under test).
  constexpr int kWarmUp = 200, kMeasured = 1500;
  std::vector<std::array<std::uint8_t, 1500>> packets(2 * (kWarmUp + kMeasured));
  std::vector<std::size_t> lengths(packets.size());
  for (std::size_t i = 0; i < packets.size(); i += 2) {
    lengths[i] = a.MakePacket(10, packets[i]);
    lengths[i + 1] = b.MakePacket(12, packets[i + 1]);
  }
  const auto run = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      const auto now = t0 + milliseconds(20 * i);
      room.OnDatagram(pa, std::span(packets[2 * i].data(), lengths[2 * i]), now);
      room.OnDatagram(pb, std::span(packets[2 * i + 1].data(), lengths[2 * i + 1]), now);
      room.Tick(now);
      if (i % 250 == 0) {  // ICE consent checks every 5 s keep everyone in the room
        a.CheckIn(room, pa, now);
        b.CheckIn(room, pb, now);
        c.CheckIn(room, pc, now);
        d.CheckIn(room, pd, now);
      }
    }
  };
  run(0, kWarmUp);
  const auto forwarded_before = counters.forwarded.load();
  g_allocations = 0;
  g_c_allocations = 0;
  g_counting = true;
  run(kWarmUp, kWarmUp + kMeasured);
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0u) << "operator new on the forwarding path";
  const double c_per_packet = static_cast<double>(g_c_allocations.load()) /
                              static_cast<double>(counters.forwarded.load() - forwarded_before);
  RecordProperty("c_allocations_per_forwarded_packet", std::to_string(c_per_packet));
  std::printf("C-library allocations per forwarded packet: %.2f\n", c_per_packet);
  // SRTP with AEAD_AES_128_GCM runs on a preallocated OpenSSL context (SrtpGcm): nothing at all
  // may allocate per packet, in our code or below it.
  EXPECT_EQ(g_c_allocations.load(), 0u) << "malloc on the forwarding path";
  // A and B each reach the three others: 2 * 3 per round.
  EXPECT_EQ(counters.forwarded.load() - forwarded_before, 6u * kMeasured);
  EXPECT_EQ(counters.drop_srtp.load(), 0u);
  EXPECT_EQ(room.Size(), 4u);
}

}  // namespace
}  // namespace chorus::sfu::test
