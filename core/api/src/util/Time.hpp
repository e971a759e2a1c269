// Time helpers: epoch milliseconds and ISO 8601 text, with an injectable clock for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace chorus::util {

// Wall-clock milliseconds since the epoch.
std::int64_t NowMs();
// "2026-11-25T15:10:13.123Z" for epoch milliseconds.
std::string IsoTime(std::int64_t epoch_ms);

// A clock the presence and token code read, replaceable in tests.
using Clock = std::function<std::int64_t()>;
inline Clock SystemClock() {
  return [] { return NowMs(); };
}

}  // namespace chorus::util
