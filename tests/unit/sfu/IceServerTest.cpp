// IceServer (ICE-lite responder) driven by hand-built checks and by the IceClient helper.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <set>
#include <vector>

#include "rtc/IceClient.hpp"
#include "rtc/IceCredentials.hpp"
#include "rtc/IceServer.hpp"
#include "rtc/StunPacket.hpp"
#include "rtc/StunWriter.hpp"

namespace chorus::rtc {
namespace {

using namespace std::chrono_literals;
using Clock = IceServer::Clock;

constexpr std::array<std::uint8_t, 12> kId = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

class IceServerTest : public ::testing::Test {
 protected:
  static constexpr std::string_view kServerUfrag = "srvU";
  static constexpr std::string_view kServerPwd = "server-password-22chars";
  static constexpr std::string_view kClientUfrag = "cliU";

  IceServerTest()
      : start_(Clock::now()),
        server_(std::string(kServerUfrag), std::string(kServerPwd), std::string(kClientUfrag),
                start_),
        from_(*TransportAddress::FromString("10.78.0.2", 50000)) {}

  std::array<std::uint8_t, 12> id_ = kId;  // transaction id of the next check

  // A well-formed check from the browser's point of view; tests then break one part.
  StunBindingRequestParams GoodParams(bool use_candidate) const {
    StunBindingRequestParams params;
    params.username = username_;
    params.password = kServerPwd;
    params.priority = IceClient::kDefaultPriority;
    params.tie_breaker = 42;
    params.controlling = true;
    params.use_candidate = use_candidate;
    return params;
  }

  IceCheckResult Send(std::span<const std::uint8_t> request, const TransportAddress& from,
                      Clock::time_point now) {
    last_response_.fill(0);
    return server_.ProcessStun(request, from, last_response_, now);
  }

  IceCheckResult SendParams(const StunBindingRequestParams& params, Clock::time_point now) {
    std::array<std::uint8_t, 512> request{};
    const std::size_t size = StunWriter::WriteBindingRequest(request, id_, params);
    EXPECT_GT(size, 0u);
    return Send(std::span<const std::uint8_t>(request.data(), size), from_, now);
  }

  std::optional<StunPacket> Response(const IceCheckResult& result) const {
    return StunPacket::Parse(
        std::span<const std::uint8_t>(last_response_.data(), result.response_bytes));
  }

  Clock::time_point start_;
  IceServer server_;
  TransportAddress from_;
  std::string username_ = "srvU:cliU";
  std::array<std::uint8_t, 512> last_response_{};
};

TEST_F(IceServerTest, AnswersGoodCheckWithMappedAddress) {
  const IceCheckResult result = SendParams(GoodParams(false), start_ + 1s);
  EXPECT_TRUE(result.valid);
  EXPECT_FALSE(result.nominated);
  EXPECT_EQ(result.error_code, 0);
  ASSERT_GT(result.response_bytes, 0u);
  const auto response = Response(result);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->Type(), 0x0101);
  EXPECT_TRUE(std::equal(kId.begin(), kId.end(), response->TransactionId().begin()));
  EXPECT_EQ(response->XorMappedAddress(), from_);
  EXPECT_TRUE(response->CheckIntegrity(kServerPwd));
  EXPECT_TRUE(response->CheckFingerprint());
  EXPECT_FALSE(server_.SelectedAddress().has_value());
  EXPECT_EQ(server_.LastValidCheck(), start_ + 1s);
  EXPECT_EQ(server_.Stats().valid_checks, 1u);
}

TEST_F(IceServerTest, UseCandidateSelectsPathAndLatestWins) {
  IceCheckResult result = SendParams(GoodParams(true), start_);
  EXPECT_TRUE(result.valid);
  EXPECT_TRUE(result.nominated);
  EXPECT_EQ(server_.SelectedAddress(), from_);

  from_ = *TransportAddress::FromString("::1", 50001);
  id_[0] = 99;  // a new check (a replayed one may not move the path)
  result = SendParams(GoodParams(true), start_ + 1s);
  EXPECT_TRUE(result.nominated);
  EXPECT_EQ(server_.SelectedAddress(), from_);
  EXPECT_EQ(Response(result)->XorMappedAddress(), from_);
  EXPECT_EQ(server_.Stats().nominations, 2u);
}

TEST_F(IceServerTest, WrongUsernameGets401WithoutIntegrity) {
  for (std::string bad : {"srvU:other", "other:cliU", "srvU", "cliU:srvU", "srvU:cliU "}) {
    username_ = bad;
    const IceCheckResult result = SendParams(GoodParams(true), start_);
    EXPECT_FALSE(result.valid) << bad;
    EXPECT_FALSE(result.nominated);
    EXPECT_EQ(result.error_code, 401);
    const auto response = Response(result);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->Type(), 0x0111);
    EXPECT_EQ(response->ErrorCode()->code, 401);
    EXPECT_FALSE(response->HasMessageIntegrity());
    EXPECT_TRUE(response->CheckFingerprint());
  }
  EXPECT_FALSE(server_.SelectedAddress().has_value());
  EXPECT_EQ(server_.Stats().unauthorized, 5u);
}

TEST_F(IceServerTest, WrongIntegrityGets401) {
  StunBindingRequestParams params = GoodParams(true);
  params.password = "server-password-22chart";
  const IceCheckResult result = SendParams(params, start_);
  EXPECT_FALSE(result.valid);
  EXPECT_EQ(result.error_code, 401);
  EXPECT_FALSE(server_.SelectedAddress().has_value());
}

TEST_F(IceServerTest, MissingUsernameOrIntegrityGets400) {
  std::array<std::uint8_t, 256> request{};
  StunWriter no_username(request, 0x0001, kId);
  no_username.AddPriority(1);
  no_username.AddIceControlling(1);
  no_username.AddMessageIntegrity(kServerPwd);
  no_username.AddFingerprint();
  IceCheckResult result =
      Send(std::span<const std::uint8_t>(request.data(), no_username.Finish()), from_, start_);
  EXPECT_FALSE(result.valid);
  EXPECT_EQ(result.error_code, 400);
  EXPECT_EQ(Response(result)->ErrorCode()->code, 400);

  StunWriter no_integrity(request, 0x0001, kId);
  no_integrity.AddUsername(username_);
  no_integrity.AddPriority(1);
  no_integrity.AddUseCandidate();
  no_integrity.AddFingerprint();
  result =
      Send(std::span<const std::uint8_t>(request.data(), no_integrity.Finish()), from_, start_);
  EXPECT_FALSE(result.valid);
  EXPECT_EQ(result.error_code, 400);
  EXPECT_FALSE(server_.SelectedAddress().has_value());
}

TEST_F(IceServerTest, MissingPriorityGets400WithIntegrity) {
  std::array<std::uint8_t, 256> request{};
  StunWriter writer(request, 0x0001, kId);
  writer.AddUsername(username_);
  writer.AddIceControlling(1);
  writer.AddUseCandidate();
  writer.AddMessageIntegrity(kServerPwd);
  writer.AddFingerprint();
  const IceCheckResult result =
      Send(std::span<const std::uint8_t>(request.data(), writer.Finish()), from_, start_);
  EXPECT_FALSE(result.valid);
  EXPECT_EQ(result.error_code, 400);
  EXPECT_TRUE(Response(result)->CheckIntegrity(kServerPwd));
}

TEST_F(IceServerTest, ControlledPeerGets487) {
  StunBindingRequestParams params = GoodParams(false);
  params.controlling = false;
  const IceCheckResult result = SendParams(params, start_);
  EXPECT_FALSE(result.valid);
  EXPECT_EQ(result.error_code, 487);
  EXPECT_EQ(Response(result)->ErrorCode()->code, 487);
  EXPECT_EQ(server_.Stats().role_conflicts, 1u);
}

TEST_F(IceServerTest, DropsBadFingerprintAndNonRequests) {
  std::array<std::uint8_t, 256> request{};
  const std::size_t size = StunWriter::WriteBindingRequest(request, kId, GoodParams(true));
  request[size - 1] ^= 0x01;  // corrupt FINGERPRINT
  IceCheckResult result = Send(std::span<const std::uint8_t>(request.data(), size), from_, start_);
  EXPECT_EQ(result.response_bytes, 0u);
  EXPECT_FALSE(result.valid);
  EXPECT_EQ(server_.Stats().dropped_fingerprint, 1u);

  // No FINGERPRINT at all.
  StunWriter writer(request, 0x0001, kId);
  writer.AddUsername(username_);
  writer.AddPriority(1);
  writer.AddMessageIntegrity(kServerPwd);
  result = Send(std::span<const std::uint8_t>(request.data(), writer.Finish()), from_, start_);
  EXPECT_EQ(result.response_bytes, 0u);
  EXPECT_EQ(server_.Stats().dropped_fingerprint, 2u);

  // A success response and a Binding indication are not answered.
  const std::size_t success = StunWriter::WriteBindingSuccess(request, kId, from_, kServerPwd);
  result = Send(std::span<const std::uint8_t>(request.data(), success), from_, start_);
  EXPECT_EQ(result.response_bytes, 0u);
  StunWriter indication(request, 0x0011, kId);
  indication.AddFingerprint();
  result = Send(std::span<const std::uint8_t>(request.data(), indication.Finish()), from_, start_);
  EXPECT_EQ(result.response_bytes, 0u);
  EXPECT_EQ(server_.Stats().dropped_not_request, 2u);

  // Garbage.
  const std::array<std::uint8_t, 5> garbage = {0x80, 0, 0, 0, 0};
  result = Send(garbage, from_, start_);
  EXPECT_EQ(result.response_bytes, 0u);
  EXPECT_EQ(server_.Stats().dropped_malformed, 1u);
  EXPECT_EQ(server_.Stats().valid_checks, 0u);
}

TEST_F(IceServerTest, ConsentTimeout) {
  constexpr auto kTimeout = 30s;
  // No check at all: times out counting from construction.
  EXPECT_FALSE(server_.IsTimedOut(start_ + 29s, kTimeout));
  EXPECT_TRUE(server_.IsTimedOut(start_ + 31s, kTimeout));

  SendParams(GoodParams(true), start_ + 20s);
  EXPECT_FALSE(server_.IsTimedOut(start_ + 49s, kTimeout));
  EXPECT_TRUE(server_.IsTimedOut(start_ + 51s, kTimeout));

  // Rejected checks do not refresh consent.
  StunBindingRequestParams bad = GoodParams(false);
  bad.password = "wrong";
  SendParams(bad, start_ + 45s);
  EXPECT_TRUE(server_.IsTimedOut(start_ + 51s, kTimeout));

  // A valid check later does.
  SendParams(GoodParams(false), start_ + 50s);
  EXPECT_FALSE(server_.IsTimedOut(start_ + 79s, kTimeout));
}

TEST_F(IceServerTest, ResponseBufferTooSmallStillCountsCheck) {
  std::array<std::uint8_t, 256> request{};
  const std::size_t size = StunWriter::WriteBindingRequest(request, kId, GoodParams(true));
  std::array<std::uint8_t, 40> small{};
  const IceCheckResult result = server_.ProcessStun(
      std::span<const std::uint8_t>(request.data(), size), from_, small, start_);
  EXPECT_TRUE(result.valid);
  EXPECT_TRUE(result.nominated);
  EXPECT_EQ(result.response_bytes, 0u);
}

TEST_F(IceServerTest, LocalUfragOfFindsOwner) {
  std::array<std::uint8_t, 256> request{};
  const std::size_t size = StunWriter::WriteBindingRequest(request, kId, GoodParams(true));
  const auto packet = StunPacket::Parse(std::span<const std::uint8_t>(request.data(), size));
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(IceServer::LocalUfragOf(*packet), "srvU");
  // A demultiplexer that already parsed the check hands the packet over without a second parse.
  const IceCheckResult result = server_.ProcessStun(*packet, from_, last_response_, start_);
  EXPECT_TRUE(result.valid);
  EXPECT_TRUE(result.nominated);
  EXPECT_GT(result.response_bytes, 0u);
}

TEST(IceClientServerTest, RoundTripConnects) {
  const auto server_credentials = IceCredentials::Generate();
  const auto client_credentials = IceCredentials::Generate();
  ASSERT_TRUE(server_credentials && client_credentials);
  const Clock::time_point now = Clock::now();
  IceServer server(server_credentials->ufrag, server_credentials->pwd, client_credentials->ufrag,
                   now);
  IceClient client(client_credentials->ufrag, client_credentials->pwd, server_credentials->ufrag,
                   server_credentials->pwd, 0x1122334455667788);
  const auto client_address = *TransportAddress::FromString("127.0.0.1", 61000);

  std::array<std::uint8_t, 1500> request{};
  std::array<std::uint8_t, 1500> response{};
  // A non-nominating check first: answered, but the client is not connected yet.
  std::size_t size = client.WriteBindingRequest(request, false);
  ASSERT_GT(size, 0u);
  IceCheckResult result = server.ProcessStun(std::span<const std::uint8_t>(request.data(), size),
                                             client_address, response, now);
  ASSERT_TRUE(result.valid);
  IceClientResponse answer =
      client.ProcessResponse(std::span<const std::uint8_t>(response.data(), result.response_bytes));
  EXPECT_TRUE(answer.matched);
  EXPECT_TRUE(answer.success);
  EXPECT_FALSE(client.IsConnected());

  // The same response again no longer matches an outstanding transaction.
  answer =
      client.ProcessResponse(std::span<const std::uint8_t>(response.data(), result.response_bytes));
  EXPECT_FALSE(answer.matched);

  size = client.WriteBindingRequest(request, true);
  result = server.ProcessStun(std::span<const std::uint8_t>(request.data(), size), client_address,
                              response, now + 1s);
  ASSERT_TRUE(result.valid);
  EXPECT_TRUE(result.nominated);
  EXPECT_EQ(server.SelectedAddress(), client_address);
  answer =
      client.ProcessResponse(std::span<const std::uint8_t>(response.data(), result.response_bytes));
  EXPECT_TRUE(answer.success);
  EXPECT_TRUE(client.IsConnected());
  EXPECT_EQ(client.MappedAddress(), client_address);
}

TEST(IceClientServerTest, ClientRejectsForgedAndReportsErrors) {
  const Clock::time_point now = Clock::now();
  IceServer server("srvU", "server-password-22chars", "cliU", now);
  // The client believes a different server password: the server answers 401.
  IceClient wrong_pwd("cliU", "client-password-22chars", "srvU", "not-the-server-password", 1);
  std::array<std::uint8_t, 512> request{};
  std::array<std::uint8_t, 512> response{};
  std::size_t size = wrong_pwd.WriteBindingRequest(request);
  IceCheckResult result =
      server.ProcessStun(std::span<const std::uint8_t>(request.data(), size),
                         *TransportAddress::FromString("127.0.0.1", 1), response, now);
  IceClientResponse answer = wrong_pwd.ProcessResponse(
      std::span<const std::uint8_t>(response.data(), result.response_bytes));
  EXPECT_TRUE(answer.matched);
  EXPECT_FALSE(answer.success);
  EXPECT_EQ(answer.error_code, 401);
  EXPECT_FALSE(wrong_pwd.IsConnected());

  // A success response for our transaction but keyed with another password is ignored.
  IceClient client("cliU", "client-password-22chars", "srvU", "server-password-22chars", 1);
  size = client.WriteBindingRequest(request);
  const auto parsed = StunPacket::Parse(std::span<const std::uint8_t>(request.data(), size));
  ASSERT_TRUE(parsed.has_value());
  const std::size_t forged = StunWriter::WriteBindingSuccess(
      response, parsed->TransactionId(), *TransportAddress::FromString("6.6.6.6", 6), "attacker");
  answer = client.ProcessResponse(std::span<const std::uint8_t>(response.data(), forged));
  EXPECT_FALSE(answer.matched);
  EXPECT_FALSE(client.IsConnected());
}

TEST(IceCredentialsTest, GeneratesValidDistinctCredentials) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    const auto credentials = IceCredentials::Generate();
    ASSERT_TRUE(credentials.has_value());
    EXPECT_TRUE(IceCredentials::IsValidIceString(credentials->ufrag, 4));
    EXPECT_TRUE(IceCredentials::IsValidIceString(credentials->pwd, 22));
    EXPECT_GE(credentials->ufrag.size(), 4u);
    EXPECT_GE(credentials->pwd.size(), 22u);
    EXPECT_TRUE(seen.insert(credentials->pwd).second);
  }
  EXPECT_FALSE(IceCredentials::IsValidIceString("abc", 4));
  EXPECT_FALSE(IceCredentials::IsValidIceString("abc:d", 4));
  EXPECT_TRUE(IceCredentials::IsValidIceString("ab+/", 4));
}

TEST_F(IceServerTest, AReplayedCheckFromAnotherAddressNeverMovesThePath) {
  ASSERT_TRUE(SendParams(GoodParams(true), start_).nominated);
  const TransportAddress victim = from_;
  // The attacker replays the captured check (same transaction id) from its own address.
  from_ = *TransportAddress::FromString("10.78.0.66", 40000);
  const IceCheckResult replay = SendParams(GoodParams(true), start_ + 1s);
  EXPECT_FALSE(replay.valid);
  EXPECT_FALSE(replay.nominated);
  EXPECT_EQ(replay.response_bytes, 0u) << "no answer to a replay";
  EXPECT_EQ(server_.SelectedAddress(), victim);
  EXPECT_EQ(server_.Stats().dropped_replay, 1u);
  EXPECT_EQ(server_.LastValidCheck(), start_) << "a replay does not refresh consent";
  // A retransmission from the original address is still answered.
  from_ = victim;
  EXPECT_TRUE(SendParams(GoodParams(true), start_ + 2s).valid);
  EXPECT_EQ(server_.SelectedAddress(), victim);
}

TEST_F(IceServerTest, ReplaysAreRecognisedAcrossManyLaterChecks) {
  ASSERT_TRUE(SendParams(GoodParams(true), start_).valid);
  const auto captured = id_;
  const TransportAddress victim = from_;
  for (int i = 1; i < static_cast<int>(IceServer::kSeenTransactions); ++i) {
    id_[10] = static_cast<std::uint8_t>(i);
    id_[11] = static_cast<std::uint8_t>(i >> 8);
    ASSERT_TRUE(SendParams(GoodParams(false), start_ + std::chrono::seconds(i)).valid);
  }
  id_ = captured;
  from_ = *TransportAddress::FromString("10.78.0.66", 40000);
  EXPECT_FALSE(SendParams(GoodParams(true), start_ + 1h).valid);
  EXPECT_EQ(server_.SelectedAddress(), victim);
}

}  // namespace
}  // namespace chorus::rtc
