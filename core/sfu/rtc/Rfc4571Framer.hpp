// RFC 4571 framing of the packets ICE-TCP carries (RFC 6544 §3: STUN, DTLS, RTP and RTCP on one
// TCP stream): every packet follows a 16-bit big-endian LENGTH. The reading side collects the
// bytes a socket delivers into one buffer preallocated at construction and hands out each complete
// frame in place; the writing side is WriteHeader. No I/O and no allocation after construction.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |             LENGTH            |  STUN / DTLS / RTP / RTCP ...
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Thread affinity: one owner thread (the connection's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace chorus::rtc {

class Rfc4571Framer {
 public:
  static constexpr std::size_t kHeaderBytes = 2;
  static constexpr std::size_t kMaxLength = 0xFFFF;  // what a 16-bit LENGTH can say

  enum class Status {
    kFrame,     // *frame is the next complete packet
    kNeedMore,  // no complete frame buffered: read more
    kOversize,  // a LENGTH above the limit: the stream cannot be resynchronized, close it
  };

  // Accepts frames of up to `max_frame_bytes` (at most kMaxLength); the buffer holds
  // `buffered_frames` (>= 1) frames of that size with their headers.
  explicit Rfc4571Framer(std::size_t max_frame_bytes, std::size_t buffered_frames = 4);

  // The free space after the buffered bytes, for the next read from the socket; compacts first
  // when a partial frame sits near the end. Never empty while every frame has been taken with
  // Next() down to kNeedMore (a partial frame is always shorter than the buffer).
  std::span<std::uint8_t> WritableSpan();
  // Records that `n` bytes (<= WritableSpan().size()) were written into the writable span.
  void Commit(std::size_t n);
  // Copies `bytes` in (at most the writable space); returns how many were taken.
  std::size_t Append(std::span<const std::uint8_t> bytes);

  // The next complete frame, in place (valid and writable until the next WritableSpan, Commit or
  // Append). Zero-length frames (RFC 4571 §2: the null packet) are skipped. After kOversize every
  // call says kOversize.
  Status Next(std::span<std::uint8_t>* frame);

  // Puts the frame that Next() returned last back, header included, so Unread() starts with it
  // (to hand the stream over to another owner before consuming its first frame).
  void Rewind();
  // The bytes not yet returned by Next(): the start of the stream for a new owner.
  std::span<const std::uint8_t> Unread() const;

  std::size_t MaxFrameBytes() const { return max_frame_bytes_; }
  std::size_t Capacity() const { return capacity_; }

  // Writes the 2-byte LENGTH of a `payload_bytes` frame into `out`; false when it exceeds
  // kMaxLength.
  static bool WriteHeader(std::size_t payload_bytes, std::span<std::uint8_t, kHeaderBytes> out);

 private:
  std::size_t max_frame_bytes_;
  std::size_t capacity_;
  std::unique_ptr<std::uint8_t[]> buffer_;
  std::size_t read_ = 0;        // start of the first byte not yet returned
  std::size_t end_ = 0;         // end of the buffered bytes
  std::size_t last_frame_ = 0;  // header offset of the frame Next() returned last
  bool has_last_ = false;
  bool broken_ = false;  // an oversize LENGTH was seen
};

}  // namespace chorus::rtc
