#include "rtc/Rfc4571Framer.hpp"

#include <algorithm>
#include <cstring>

namespace chorus::rtc {

Rfc4571Framer::Rfc4571Framer(std::size_t max_frame_bytes, std::size_t buffered_frames)
    : max_frame_bytes_(std::min(max_frame_bytes, kMaxLength)),
      capacity_((kHeaderBytes + max_frame_bytes_) * std::max<std::size_t>(1, buffered_frames)),
      buffer_(std::make_unique<std::uint8_t[]>(capacity_)) {}

std::span<std::uint8_t> Rfc4571Framer::WritableSpan() {
  if (read_ == end_) {
    read_ = end_ = 0;
    has_last_ = false;
  } else if (read_ > 0 && capacity_ - end_ < kHeaderBytes + max_frame_bytes_) {
    // A partial frame near the end: move it to the front so a whole frame fits behind it.
    std::memmove(buffer_.get(), buffer_.get() + read_, end_ - read_);
    end_ -= read_;
    read_ = 0;
    has_last_ = false;
  }
  return {buffer_.get() + end_, capacity_ - end_};
}

void Rfc4571Framer::Commit(std::size_t n) {
  end_ = std::min(capacity_, end_ + n);
}

std::size_t Rfc4571Framer::Append(std::span<const std::uint8_t> bytes) {
  const auto space = WritableSpan();
  const std::size_t n = std::min(space.size(), bytes.size());
  if (n > 0) std::memcpy(space.data(), bytes.data(), n);
  Commit(n);
  return n;
}

Rfc4571Framer::Status Rfc4571Framer::Next(std::span<std::uint8_t>* frame) {
  for (;;) {
    if (broken_) return Status::kOversize;
    const std::size_t available = end_ - read_;
    if (available < kHeaderBytes) return Status::kNeedMore;
    // RFC 4571 §2: LENGTH in network byte order.
    const std::size_t length = (static_cast<std::size_t>(buffer_[read_]) << 8) | buffer_[read_ + 1];
    if (length > max_frame_bytes_) {
      broken_ = true;
      return Status::kOversize;
    }
    if (length == 0) {  // the null packet carries nothing
      read_ += kHeaderBytes;
      continue;
    }
    if (available < kHeaderBytes + length) return Status::kNeedMore;
    last_frame_ = read_;
    has_last_ = true;
    read_ += kHeaderBytes + length;
    *frame = std::span(buffer_.get() + last_frame_ + kHeaderBytes, length);
    return Status::kFrame;
  }
}

void Rfc4571Framer::Rewind() {
  if (!has_last_) return;
  read_ = last_frame_;
  has_last_ = false;
}

std::span<const std::uint8_t> Rfc4571Framer::Unread() const {
  return {buffer_.get() + read_, end_ - read_};
}

bool Rfc4571Framer::WriteHeader(std::size_t payload_bytes,
                                std::span<std::uint8_t, kHeaderBytes> out) {
  if (payload_bytes > kMaxLength) return false;
  out[0] = static_cast<std::uint8_t>(payload_bytes >> 8);
  out[1] = static_cast<std::uint8_t>(payload_bytes & 0xFF);
  return true;
}

}  // namespace chorus::rtc
