// Which path a participant's media goes out on when the browser checks both the UDP and the
// ICE-TCP candidate: a valid check sets the path until a nomination picks one, but a TCP check
// never moves it off a UDP path (RFC 6544 §4.2: UDP is preferred); a nomination always wins.
#include <gtest/gtest.h>

#include "RoomTestPeer.hpp"
#include "rtc/DtlsContext.hpp"

namespace chorus::sfu::test {
namespace {

TEST(ParticipantPathTest, TcpCheckDoesNotReplaceUdpBeforeNomination) {
  auto dtls = rtc::DtlsContext::Create();
  CapturingOutput output;
  WorkerCounters counters;
  Room room("stream-1", RoomOptions{}, *dtls, output, counters);
  FakePeer peer(1, 10001, 1);
  const auto now = Clock::now();
  Participant& p = peer.AddOnly(room, now);
  const auto udp = rtc::TransportAddress::FromIpv4({127, 0, 0, 1}, 10001);
  const auto tcp = rtc::TransportAddress::FromIpv4({127, 0, 0, 1}, 40123).WithConnection(5);

  peer.CheckFrom(room, p, now, tcp, false);
  EXPECT_EQ(p.SendAddress(), tcp) << "the first valid path is used";
  peer.CheckFrom(room, p, now, udp, false);
  EXPECT_EQ(p.SendAddress(), udp) << "a UDP path replaces a TCP one";
  peer.CheckFrom(room, p, now, tcp, false);
  EXPECT_EQ(p.SendAddress(), udp) << "a TCP check does not replace UDP before nomination";
  peer.CheckFrom(room, p, now, tcp, true);
  EXPECT_EQ(p.SendAddress(), tcp) << "the browser nominated the TCP path";
  peer.CheckFrom(room, p, now, udp, false);
  EXPECT_EQ(p.SendAddress(), tcp) << "after nomination, only a nomination moves the path";
}

}  // namespace
}  // namespace chorus::sfu::test
