// Where rooms send datagrams: the worker's batched UDP socket in chorusd, a capturing buffer in
// tests. Thread affinity: the room's worker thread.
#pragma once

#include <span>

#include "rtc/TransportAddress.hpp"

namespace chorus::sfu {

class PacketOutput {
 public:
  virtual ~PacketOutput() = default;
  // Queues one datagram for `to`; the span is valid during the call only (copy it).
  virtual void SendDatagram(const rtc::TransportAddress& to,
                            std::span<const std::uint8_t> datagram) = 0;
};

}  // namespace chorus::sfu
