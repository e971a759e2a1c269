// libFuzzer target for the RFC 4571 framer of ICE-TCP: the input is a TCP byte stream delivered
// in reads whose sizes come from the input itself. Frames must come out whole, within the limit,
// never past the bytes delivered, an oversize LENGTH must stick, and handing the unread bytes to
// a new framer (Rewind + Unread, as a worker handoff does) must yield the same frames. Any crash,
// sanitizer report or broken invariant (checked with __builtin_trap) is a bug.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "rtc/Rfc4571Framer.hpp"

namespace {

using chorus::rtc::Rfc4571Framer;

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

constexpr std::size_t kMaxFrame = 1648;  // the SFU's limit (1500 + SRTP trailer)

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // The first byte picks the read size (1..256) and whether to hand off after the first frame.
  const std::size_t read_size = 1 + data[0];
  const bool hand_off = (data[0] & 0x80) != 0;
  std::span<const std::uint8_t> stream(data + 1, size - 1);

  Rfc4571Framer framer(kMaxFrame, 1 + (data[0] & 3));
  std::vector<std::vector<std::uint8_t>> frames;
  std::size_t delivered = 0, framed_bytes = 0;
  bool oversize = false, handed = false;
  while (delivered < stream.size() && !oversize) {
    auto space = framer.WritableSpan();
    Require(!space.empty());
    const std::size_t n = std::min({space.size(), read_size, stream.size() - delivered});
    std::memcpy(space.data(), stream.data() + delivered, n);
    framer.Commit(n);
    delivered += n;
    std::span<std::uint8_t> frame;
    for (;;) {
      const auto status = framer.Next(&frame);
      if (status == Rfc4571Framer::Status::kNeedMore) break;
      if (status == Rfc4571Framer::Status::kOversize) {
        oversize = true;
        Require(framer.Next(&frame) == Rfc4571Framer::Status::kOversize);
        break;
      }
      Require(!frame.empty() && frame.size() <= kMaxFrame);
      framed_bytes += 2 + frame.size();
      Require(framed_bytes <= delivered);
      if (hand_off && !handed) {
        // The first frame goes back and the rest of the stream continues in a new framer.
        handed = true;
        framer.Rewind();
        framed_bytes -= 2 + frame.size();
        Rfc4571Framer next(kMaxFrame, 1 + (data[0] & 3));
        const auto unread = framer.Unread();
        Require(next.Append(unread) == unread.size());
        framer = std::move(next);
        continue;
      }
      frames.emplace_back(frame.begin(), frame.end());
    }
  }
  // The frames read are exactly the stream's frames (null packets skipped), in order.
  std::size_t at = 0;
  for (const auto& frame : frames) {
    for (;;) {
      Require(at + 2 <= stream.size());
      const std::size_t length = (std::size_t{stream[at]} << 8) | stream[at + 1];
      at += 2;
      if (length == 0) continue;
      Require(length == frame.size() && at + length <= stream.size());
      Require(std::memcmp(stream.data() + at, frame.data(), length) == 0);
      at += length;
      break;
    }
  }
  return 0;
}
