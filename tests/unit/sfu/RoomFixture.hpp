// A gtest fixture for Room tests with fake participants: one DTLS context per suite, the room's
// packet output captured in memory, and worker counters.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "RoomTestPeer.hpp"
#include "rtc/DtlsContext.hpp"

namespace chorus::sfu::test {

class RoomFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dtls_ = rtc::DtlsContext::Create(); }
  static void TearDownTestSuite() { dtls_.reset(); }

  // A room named "stream-1" with `slots` audio slots, sending into output_.
  std::unique_ptr<Room> MakeRoom(std::size_t slots) {
    RoomOptions options;
    options.audio_slots = slots;
    return std::make_unique<Room>("stream-1", options, *dtls_, output_, counters_);
  }

  static inline std::shared_ptr<rtc::DtlsContext> dtls_;
  CapturingOutput output_;
  WorkerCounters counters_;
};

}  // namespace chorus::sfu::test
