// The allocation counters of the counting operator new / malloc hooks that RoomAllocationTest.cpp
// installs for the whole sfu_unit_tests binary (there must be only one such override).
#pragma once

#include <atomic>
#include <cstdint>

namespace chorus::test {

extern std::atomic<bool> g_counting;                // count only while true
extern std::atomic<std::uint64_t> g_allocations;    // operator new calls while counting
extern std::atomic<std::uint64_t> g_c_allocations;  // malloc/calloc/realloc calls while counting

}  // namespace chorus::test
