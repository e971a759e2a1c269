// Benchmark payloads: instead of Opus, a speaker in benchmark mode sends a 13-byte payload
// holding its send time on the machine's monotonic clock (shared by all processes of one
// machine), so listeners measure the one-way delay through the SFU, which forwards payloads
// verbatim. The first byte is an Opus TOC (RFC 6716 §3.1: CELT FB 20 ms, mono, one frame), so
// the packet still looks like Opus to anything that peeks.
// Thread affinity: none (pure functions).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

namespace chorus::peer {

inline constexpr std::size_t kBenchPayloadBytes = 13;

// Writes a benchmark payload stamped with `sent` (steady_clock) into `out` (>= 13 bytes).
// Returns the bytes written or 0.
std::size_t WriteBenchPayload(std::chrono::steady_clock::duration sent,
                              std::span<std::uint8_t> out);

// The send time of a benchmark payload, or nullopt for anything else.
std::optional<std::chrono::steady_clock::duration> ReadBenchPayload(
    std::span<const std::uint8_t> payload);

}  // namespace chorus::peer
