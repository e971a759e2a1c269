// libFuzzer target for the STUN parser, its integrity and fingerprint checks, the ICE-lite
// responder and the ICE client's response handling. Any crash, sanitizer report or broken
// invariant (checked with __builtin_trap) is a bug.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "rtc/IceClient.hpp"
#include "rtc/IceServer.hpp"
#include "rtc/StunCrypto.hpp"
#include "rtc/StunPacket.hpp"

namespace {

using chorus::rtc::IceClient;
using chorus::rtc::IceServer;
using chorus::rtc::StunPacket;
using chorus::rtc::TransportAddress;
namespace stun = chorus::rtc::stun;

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

// Touches every accessor so a bad offset shows up under ASan.
void ReadEverything(const StunPacket& packet) {
  volatile std::size_t sink = packet.Type() + packet.Method();
  sink = sink + static_cast<std::size_t>(packet.Class());
  if (auto username = packet.Username()) {
    for (char c : *username) sink = sink + static_cast<unsigned char>(c);
  }
  if (auto priority = packet.Priority()) sink = sink + *priority;
  if (auto tie = packet.IceControlling()) sink = sink + static_cast<std::size_t>(*tie);
  if (auto tie = packet.IceControlled()) sink = sink + static_cast<std::size_t>(*tie);
  if (auto mapped = packet.XorMappedAddress()) sink = sink + mapped->ToString().size();
  if (auto error = packet.ErrorCode()) {
    Require(error->code >= 300 && error->code <= 699);
    sink = sink + error->reason.size();
  }
  sink = sink + packet.HasUseCandidate();
  Require(packet.Data().size() >= stun::kHeaderBytes);
  Require(packet.Data().size() % 4 == 0);
}

// Rewrites a parsed message's FINGERPRINT so the responder's deeper checks get exercised.
void FixFingerprint(std::vector<std::uint8_t>& bytes) {
  const auto packet = StunPacket::Parse(bytes);
  if (!packet || !packet->HasFingerprint()) return;
  const std::size_t at = bytes.size() - stun::kFingerprintBytes;
  const std::uint32_t crc = stun::FingerprintCrc(
      std::span<const std::uint8_t>(bytes).first(stun::kHeaderBytes),
      std::span<const std::uint8_t>(bytes).subspan(
          stun::kHeaderBytes, at - stun::kAttributeHeaderBytes - stun::kHeaderBytes));
  bytes[at] = static_cast<std::uint8_t>(crc >> 24);
  bytes[at + 1] = static_cast<std::uint8_t>(crc >> 16);
  bytes[at + 2] = static_cast<std::uint8_t>(crc >> 8);
  bytes[at + 3] = static_cast<std::uint8_t>(crc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  const bool is_stun = StunPacket::IsStun(input);
  const auto packet = StunPacket::Parse(input);
  Require(!packet || is_stun);
  if (packet) {
    ReadEverything(*packet);
    (void)packet->CheckIntegrity("srvU-password-0123456789");
    (void)packet->CheckIntegrity("");
    (void)packet->CheckFingerprint();
  }

  static const auto kStart = std::chrono::steady_clock::time_point{};
  static IceServer server("srvU", "srvU-password-0123456789", "cliU", kStart);
  static IceClient client("cliU", "cliU-password-0123456789", "srvU", "srvU-password-0123456789",
                          7);
  static const TransportAddress kFrom = *TransportAddress::FromString("10.78.0.2", 5000);

  std::vector<std::uint8_t> bytes(input.begin(), input.end());
  FixFingerprint(bytes);
  std::array<std::uint8_t, 1500> out{};
  const auto result = server.ProcessStun(bytes, kFrom, out, kStart);
  Require(result.response_bytes <= out.size());
  Require(!result.nominated || result.valid);
  if (result.response_bytes > 0) {
    // Whatever the server writes must parse and carry a valid FINGERPRINT.
    const auto response =
        StunPacket::Parse(std::span<const std::uint8_t>(out.data(), result.response_bytes));
    Require(response.has_value());
    Require(response->CheckFingerprint());
    if (result.valid) Require(response->CheckIntegrity("srvU-password-0123456789"));
  }
  (void)client.ProcessResponse(bytes);
  return 0;
}
