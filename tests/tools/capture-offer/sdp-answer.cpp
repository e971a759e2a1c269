// Reads an SDP offer on stdin and prints Chorus's answer to it on stdout (exit 1 with the error
// code and message on stderr if the offer is refused). Used by check-answer-*.{cjs,py} to show
// that real WebRTC stacks accept our answers. Build (after building chorus_sfu in BUILD):
//   g++ -std=c++20 -I core/sfu tests/tools/capture-offer/sdp-answer.cpp
//       BUILD/core/sfu/libchorus_sfu.a -lfmt -o /tmp/sdp-answer     (one command line)
// Usage: sdp-answer <announce-ip> <announce-port> [slots=4] < offer.sdp
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>

#include "rtc/SdpAnswerBuilder.hpp"
#include "rtc/SdpOffer.hpp"

int main(int argc, char** argv) {
  using namespace chorus::rtc;
  if (argc < 3) {
    std::cerr << "usage: sdp-answer <announce-ip> <announce-port> [slots] < offer.sdp\n";
    return 2;
  }
  const std::string text((std::istreambuf_iterator<char>(std::cin)),
                         std::istreambuf_iterator<char>());
  auto offer = SdpOffer::Parse(text);
  if (!offer) {
    std::cerr << SdpErrorCodeName(offer.Error().code) << ": " << offer.Error().message << "\n";
    return 1;
  }
  SdpAnswerOptions options;
  options.ice_ufrag = "chrs";
  options.ice_pwd = "chorusserverpassword01";
  // Any well-formed digest: the browser checks it only once DTLS runs, which this tool never does.
  options.fingerprint =
      "sha-256 3A:96:6B:D1:66:8E:1B:58:91:0F:0A:2E:5C:88:E8:C6:64:3E:6D:3B:A7:65:9C:91:70:9B:0C:"
      "5F:01:B2:3E:11";
  options.announce_ips = {argv[1]};
  options.announce_port = static_cast<std::uint16_t>(std::atoi(argv[2]));
  const int slots = argc > 3 ? std::atoi(argv[3]) : 4;
  for (int i = 0; i < slots; ++i) {
    options.slot_ssrcs.push_back(0x10000000u + static_cast<std::uint32_t>(i));
  }
  options.cname = "chorus-sfu";
  auto answer = SdpAnswerBuilder::Build(offer.Value(), options);
  if (!answer) {
    std::cerr << SdpErrorCodeName(answer.Error().code) << ": " << answer.Error().message << "\n";
    return 1;
  }
  std::cout << answer.Value().sdp;
  return 0;
}
