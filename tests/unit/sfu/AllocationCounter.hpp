// The allocation counters of the counting operator new / malloc hooks that RoomAllocationTest.cpp
// installs for the whole sfu_unit_tests binary (there must be only one such override).
#pragma once

#include <atomic>
#include <cstdint>

#include "Sanitizers.hpp"

// Sanitizer runtimes own malloc and operator new, so sanitized builds leave the counting hooks
// out: the counters then stay 0 and the tests that need them skip.
#define CHORUS_COUNTING_ALLOCATIONS (!CHORUS_UNDER_SANITIZER)

namespace chorus::test {

extern std::atomic<bool> g_counting;                // count only while true
extern std::atomic<std::uint64_t> g_allocations;    // operator new calls while counting
extern std::atomic<std::uint64_t> g_c_allocations;  // malloc/calloc/realloc calls while counting

}  // namespace chorus::test
