// Rfc4571Framer: RFC 4571 frames split across reads, several in one read, the null packet, an
// oversize LENGTH, rewinding a frame for a handoff, and the header writer.
#include "rtc/Rfc4571Framer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace chorus::rtc {
namespace {

using Status = Rfc4571Framer::Status;

// `payload` with its 2-byte big-endian LENGTH in front.
std::vector<std::uint8_t> Frame(const std::string& payload) {
  std::vector<std::uint8_t> out(2 + payload.size());
  EXPECT_TRUE(
      Rfc4571Framer::WriteHeader(payload.size(), std::span<std::uint8_t, 2>(out.data(), 2)));
  std::memcpy(out.data() + 2, payload.data(), payload.size());
  return out;
}

// Writes `bytes` the way a socket read would (into WritableSpan, then Commit).
void Feed(Rfc4571Framer& framer, std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    auto space = framer.WritableSpan();
    ASSERT_FALSE(space.empty());
    const std::size_t n = std::min(space.size(), bytes.size());
    std::memcpy(space.data(), bytes.data(), n);
    framer.Commit(n);
    bytes = bytes.subspan(n);
  }
}

// Every complete frame now buffered, as strings.
std::vector<std::string> Drain(Rfc4571Framer& framer, Status* last = nullptr) {
  std::vector<std::string> frames;
  std::span<std::uint8_t> frame;
  Status status;
  while ((status = framer.Next(&frame)) == Status::kFrame) {
    frames.emplace_back(reinterpret_cast<const char*>(frame.data()), frame.size());
  }
  if (last) *last = status;
  return frames;
}

TEST(Rfc4571FramerTest, HeaderIsBigEndianLength) {
  std::array<std::uint8_t, 2> header{};
  ASSERT_TRUE(Rfc4571Framer::WriteHeader(0x1234, header));
  EXPECT_EQ(header[0], 0x12);
  EXPECT_EQ(header[1], 0x34);
  ASSERT_TRUE(Rfc4571Framer::WriteHeader(0xFFFF, header));
  EXPECT_FALSE(Rfc4571Framer::WriteHeader(0x10000, header));
}

TEST(Rfc4571FramerTest, FrameSplitAcrossReadsComesOutWhole) {
  Rfc4571Framer framer(1500);
  const auto bytes = Frame("a STUN binding request, say");
  Status status;
  // One byte at a time: only the last byte completes the frame.
  for (std::size_t i = 0; i + 1 < bytes.size(); ++i) {
    Feed(framer, std::span(bytes.data() + i, 1));
    EXPECT_TRUE(Drain(framer, &status).empty()) << "after byte " << i;
    EXPECT_EQ(status, Status::kNeedMore);
  }
  Feed(framer, std::span(bytes.data() + bytes.size() - 1, 1));
  EXPECT_EQ(Drain(framer), std::vector<std::string>{"a STUN binding request, say"});
  EXPECT_TRUE(framer.Unread().empty());
}

TEST(Rfc4571FramerTest, SplitInsideTheHeader) {
  Rfc4571Framer framer(1500);
  const auto bytes = Frame(std::string(300, 'x'));  // LENGTH 0x012C: both header bytes matter
  Feed(framer, std::span(bytes.data(), 1));
  EXPECT_TRUE(Drain(framer).empty());
  Feed(framer, std::span(bytes.data() + 1, bytes.size() - 1));
  const auto frames = Drain(framer);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], std::string(300, 'x'));
}

TEST(Rfc4571FramerTest, SeveralFramesInOneReadThenAPartialOne) {
  Rfc4571Framer framer(1500);
  std::vector<std::uint8_t> bytes;
  for (const char* payload : {"one", "two", "three"}) {
    const auto f = Frame(payload);
    bytes.insert(bytes.end(), f.begin(), f.end());
  }
  const auto fourth = Frame("four");
  bytes.insert(bytes.end(), fourth.begin(), fourth.begin() + 3);  // header + 1 byte
  Feed(framer, bytes);
  Status status;
  EXPECT_EQ(Drain(framer, &status), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(status, Status::kNeedMore);
  EXPECT_EQ(framer.Unread().size(), 3u);
  Feed(framer, std::span(fourth.data() + 3, fourth.size() - 3));
  EXPECT_EQ(Drain(framer), std::vector<std::string>{"four"});
}

TEST(Rfc4571FramerTest, ZeroLengthFramesAreSkipped) {
  Rfc4571Framer framer(1500);
  std::vector<std::uint8_t> bytes = {0, 0, 0, 0};  // two null packets (RFC 4571 §2)
  const auto f = Frame("after");
  bytes.insert(bytes.end(), f.begin(), f.end());
  bytes.insert(bytes.end(), {0, 0});
  Feed(framer, bytes);
  Status status;
  EXPECT_EQ(Drain(framer, &status), std::vector<std::string>{"after"});
  EXPECT_EQ(status, Status::kNeedMore);
  EXPECT_TRUE(framer.Unread().empty());
}

TEST(Rfc4571FramerTest, OversizeLengthIsAnErrorThatSticks) {
  Rfc4571Framer framer(1500);
  const auto good = Frame("ok");
  Feed(framer, good);
  const std::vector<std::uint8_t> oversize = {0x05, 0xDD};  // 1501 > 1500, no payload needed
  Feed(framer, oversize);
  Status status;
  EXPECT_EQ(Drain(framer, &status), std::vector<std::string>{"ok"});
  EXPECT_EQ(status, Status::kOversize);
  std::span<std::uint8_t> frame;
  EXPECT_EQ(framer.Next(&frame), Status::kOversize);

  // Exactly the maximum is fine.
  Rfc4571Framer exact(1500);
  Feed(exact, Frame(std::string(1500, 'm')));
  EXPECT_EQ(Drain(exact, &status).size(), 1u);
  EXPECT_EQ(status, Status::kNeedMore);
}

TEST(Rfc4571FramerTest, ManyFramesThroughASmallBufferCompactAndNeverOverflow) {
  // One frame of room (plus header): every partial frame is moved to the front in turn.
  Rfc4571Framer framer(100, 1);
  EXPECT_EQ(framer.Capacity(), 102u);
  std::vector<std::uint8_t> stream;
  std::vector<std::string> sent;
  for (int i = 0; i < 200; ++i) {
    sent.push_back(std::string(1 + (i * 37) % 100, static_cast<char>('a' + i % 26)));
    const auto f = Frame(sent.back());
    stream.insert(stream.end(), f.begin(), f.end());
  }
  std::vector<std::string> got;
  std::size_t offset = 0;
  while (offset < stream.size()) {
    auto space = framer.WritableSpan();
    ASSERT_FALSE(space.empty());
    const std::size_t n = std::min({space.size(), stream.size() - offset, std::size_t{71}});
    std::memcpy(space.data(), stream.data() + offset, n);
    framer.Commit(n);
    offset += n;
    const auto frames = Drain(framer);
    got.insert(got.end(), frames.begin(), frames.end());
  }
  EXPECT_EQ(got, sent);
}

TEST(Rfc4571FramerTest, RewindPutsTheLastFrameBackForAHandoff) {
  Rfc4571Framer framer(1500);
  std::vector<std::uint8_t> bytes = Frame("first");
  const auto second = Frame("second");
  bytes.insert(bytes.end(), second.begin(), second.end());
  bytes.push_back(0x00);  // the start of a third frame's header
  Feed(framer, bytes);
  std::span<std::uint8_t> frame;
  ASSERT_EQ(framer.Next(&frame), Status::kFrame);
  framer.Rewind();
  // The new owner gets everything from the first frame's header on.
  const auto unread = framer.Unread();
  ASSERT_EQ(unread.size(), bytes.size());
  EXPECT_TRUE(std::equal(unread.begin(), unread.end(), bytes.begin()));
  Rfc4571Framer next_owner(1500);
  EXPECT_EQ(next_owner.Append(unread), unread.size());
  EXPECT_EQ(Drain(next_owner), (std::vector<std::string>{"first", "second"}));
}

}  // namespace
}  // namespace chorus::rtc
