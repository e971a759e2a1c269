// DtlsTransport: full in-memory handshakes between a server and a client transport.
#include "rtc/DtlsTransport.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "rtc/DtlsContext.hpp"
#include "rtc/SrtpSession.hpp"

namespace chorus::rtc {
namespace {

using namespace std::chrono_literals;
using Datagram = std::vector<std::uint8_t>;

constexpr std::size_t kRecordHeaderBytes = 13;  // RFC 6347 §4.1
constexpr int kMaxPumpRounds = 1000;

// Record lengths of a datagram if it is exactly a sequence of whole DTLS records.
std::optional<std::vector<std::size_t>> SplitRecords(const Datagram& d) {
  std::vector<std::size_t> records;
  std::size_t offset = 0;
  while (offset < d.size()) {
    if (d.size() - offset < kRecordHeaderBytes) return std::nullopt;
    const std::size_t length = (std::size_t{d[offset + 11]} << 8) | d[offset + 12];
    if (d.size() - offset - kRecordHeaderBytes < length) return std::nullopt;
    records.push_back(kRecordHeaderBytes + length);
    offset += kRecordHeaderBytes + length;
  }
  return records;
}

// One side of the call: queues what its transport sends, records the outcome.
struct Endpoint : DtlsTransport::Listener {
  std::deque<Datagram> outbox;
  std::vector<Datagram> sent;  // everything ever sent, for inspection
  std::optional<SrtpKeyMaterial> keys;
  std::optional<std::string> failure;
  int connected_calls = 0;
  int failed_calls = 0;

  void OnDtlsSendDatagram(std::span<const std::uint8_t> datagram) override {
    outbox.emplace_back(datagram.begin(), datagram.end());
    sent.emplace_back(datagram.begin(), datagram.end());
  }
  void OnDtlsConnected(const SrtpKeyMaterial& k) override {
    keys = k;
    ++connected_calls;
  }
  void OnDtlsFailed(std::string_view reason) override {
    failure = std::string(reason);
    ++failed_calls;
  }
};

class DtlsTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_context_ = DtlsContext::Create();
    client_context_ = DtlsContext::Create();
  }
  static void TearDownTestSuite() {
    server_context_.reset();
    client_context_.reset();
  }

  void MakePair(DtlsTransportOptions server_options = {},
                DtlsTransportOptions client_options = {}) {
    ASSERT_TRUE(server_context_ && client_context_);
    server_ = std::make_unique<DtlsTransport>(*server_context_, DtlsTransport::Role::kServer,
                                              server_end_, server_options);
    client_ = std::make_unique<DtlsTransport>(*client_context_, DtlsTransport::Role::kClient,
                                              client_end_, client_options);
  }

  void ExchangeFingerprints() {
    ASSERT_TRUE(server_->SetRemoteFingerprint("sha-256", client_context_->FingerprintSha256()));
    ASSERT_TRUE(client_->SetRemoteFingerprint("sha-256", server_context_->FingerprintSha256()));
  }

  // Delivers queued datagrams both ways until both queues are empty. `drop` may discard a
  // datagram (true = lost); it sees which side sent it.
  void Pump(const std::function<bool(bool from_server, const Datagram&)>& drop = nullptr) {
    for (int round = 0; round < kMaxPumpRounds; ++round) {
      if (server_end_.outbox.empty() && client_end_.outbox.empty()) return;
      while (!client_end_.outbox.empty()) {
        Datagram d = std::move(client_end_.outbox.front());
        client_end_.outbox.pop_front();
        if (!drop || !drop(false, d)) server_->Feed(d);
      }
      while (!server_end_.outbox.empty()) {
        Datagram d = std::move(server_end_.outbox.front());
        server_end_.outbox.pop_front();
        if (!drop || !drop(true, d)) client_->Feed(d);
      }
    }
    FAIL() << "handshake did not settle";
  }

  // Waits (bounded) until `transport`'s retransmission timer has expired.
  static void WaitForTimer(const DtlsTransport& transport) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    for (;;) {
      const auto left = transport.NextTimeout();
      ASSERT_TRUE(left.has_value()) << "no retransmission timer running";
      if (*left <= 0ms) return;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "timer never expired";
      std::this_thread::sleep_for(*left);
    }
  }

  static inline std::shared_ptr<DtlsContext> server_context_;
  static inline std::shared_ptr<DtlsContext> client_context_;
  Endpoint server_end_;
  Endpoint client_end_;
  std::unique_ptr<DtlsTransport> server_;
  std::unique_ptr<DtlsTransport> client_;
};

TEST_F(DtlsTransportTest, FingerprintIsUppercaseSha256ForSdp) {
  const std::regex kSdpFingerprint("^([0-9A-F]{2}:){31}[0-9A-F]{2}$");
  EXPECT_TRUE(std::regex_match(server_context_->FingerprintSha256(), kSdpFingerprint))
      << server_context_->FingerprintSha256();
  EXPECT_NE(server_context_->FingerprintSha256(), client_context_->FingerprintSha256());
}

TEST_F(DtlsTransportTest, SetRemoteFingerprintValidatesInput) {
  MakePair();
  const std::string good = client_context_->FingerprintSha256();
  std::string lower = good;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(server_->SetRemoteFingerprint("SHA-256", lower));
  EXPECT_FALSE(server_->SetRemoteFingerprint("md5", good));
  EXPECT_FALSE(server_->SetRemoteFingerprint("sha-1", good));  // wrong length for sha-1
  EXPECT_FALSE(server_->SetRemoteFingerprint("sha-256", good.substr(0, good.size() - 3)));
  EXPECT_FALSE(server_->SetRemoteFingerprint("sha-256", "ZZ" + good.substr(2)));
  EXPECT_FALSE(server_->SetRemoteFingerprint("sha-256", ""));
}

TEST_F(DtlsTransportTest, HandshakeConnectsWithGcmAndKeysMatchCrosswise) {
  MakePair();
  ExchangeFingerprints();
  server_->Start();
  client_->Start();
  ASSERT_FALSE(client_end_.outbox.empty()) << "client must send its ClientHello on Start";
  EXPECT_TRUE(server_end_.outbox.empty()) << "server must wait for the ClientHello";
  Pump();

  ASSERT_EQ(server_end_.connected_calls, 1) << server_end_.failure.value_or("");
  ASSERT_EQ(client_end_.connected_calls, 1) << client_end_.failure.value_or("");
  EXPECT_EQ(server_->GetState(), DtlsTransport::State::kConnected);
  EXPECT_EQ(client_->GetState(), DtlsTransport::State::kConnected);
  EXPECT_FALSE(server_end_.failure.has_value());
  EXPECT_FALSE(client_end_.failure.has_value());

  const SrtpKeyMaterial& s = *server_end_.keys;
  const SrtpKeyMaterial& c = *client_end_.keys;
  EXPECT_EQ(s.profile, SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(c.profile, SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(s.local_key_salt.size(), 28u);  // 16-byte key + 12-byte salt (RFC 7714 §14.2)
  EXPECT_EQ(s.local_key_salt, c.remote_key_salt);
  EXPECT_EQ(s.remote_key_salt, c.local_key_salt);
  EXPECT_NE(s.local_key_salt, s.remote_key_salt);
  EXPECT_FALSE(server_->NextTimeout().has_value() && client_->NextTimeout().has_value());
}

TEST_F(DtlsTransportTest, ClientWithoutGcmNegotiatesAesCm) {
  DtlsTransportOptions client_options;
  client_options.srtp_profiles = "SRTP_AES128_CM_SHA1_80";
  MakePair({}, client_options);
  ExchangeFingerprints();
  client_->Start();
  Pump();
  ASSERT_TRUE(server_end_.keys && client_end_.keys);
  EXPECT_EQ(server_end_.keys->profile, SrtpProfile::kAes128CmHmacSha1_80);
  EXPECT_EQ(server_end_.keys->local_key_salt.size(), 30u);  // 16 + 14 (RFC 3711 §8.2)
  EXPECT_EQ(server_end_.keys->local_key_salt, client_end_.keys->remote_key_salt);
  EXPECT_EQ(server_end_.keys->remote_key_salt, client_end_.keys->local_key_salt);
}

TEST_F(DtlsTransportTest, DatagramsHoldWholeRecordsWithinMtu) {
  MakePair();
  ExchangeFingerprints();
  client_->Start();
  Pump();
  ASSERT_EQ(server_end_.connected_calls, 1);
  for (const auto* end : {&server_end_, &client_end_}) {
    ASSERT_FALSE(end->sent.empty());
    for (const Datagram& d : end->sent) {
      EXPECT_LE(d.size(), 1200u);
      EXPECT_TRUE(SplitRecords(d).has_value()) << "datagram of " << d.size() << " bytes";
    }
  }
  // The server's first flight (ServerHello, Certificate, ServerKeyExchange, CertificateRequest,
  // ServerHelloDone) is small with an ECDSA certificate: packed into one datagram, not five.
  auto first_flight = SplitRecords(server_end_.sent.front());
  ASSERT_TRUE(first_flight.has_value());
  EXPECT_EQ(first_flight->size(), 5u);
}

TEST_F(DtlsTransportTest, SmallMtuSplitsFlightsIntoWholeRecordDatagrams) {
  DtlsTransportOptions options;
  options.mtu_bytes = 300;
  MakePair(options, options);
  ExchangeFingerprints();
  client_->Start();
  const std::size_t client_hello_datagrams = client_end_.outbox.size();
  Pump();
  ASSERT_EQ(server_end_.connected_calls, 1) << server_end_.failure.value_or("");
  ASSERT_EQ(client_end_.connected_calls, 1) << client_end_.failure.value_or("");
  // The server's first flight (certificate and all) no longer fits one datagram.
  std::size_t server_records = 0;
  for (const Datagram& d : server_end_.sent) {
    EXPECT_LE(d.size(), 300u);
    auto records = SplitRecords(d);
    ASSERT_TRUE(records.has_value());
    server_records += records->size();
  }
  EXPECT_GT(server_end_.sent.size(), 2u);
  EXPECT_GE(server_records, server_end_.sent.size());
  for (const Datagram& d : client_end_.sent) {
    EXPECT_LE(d.size(), 300u);
    EXPECT_TRUE(SplitRecords(d).has_value());
  }
  EXPECT_GE(client_hello_datagrams, 1u);
  // OpenSSL sizes fragments from BIO_wpending, so the BIO fills datagrams up to the MTU.
  EXPECT_EQ(server_end_.sent.front().size(), 300u);
}

// Splits a datagram holding one unfragmented handshake record into two records, each carrying
// one fragment of the message (RFC 6347 §4.2.3), as Chromium does with its ClientHello. The second
// record takes the next record sequence number.
std::pair<Datagram, Datagram> SplitHandshakeRecord(const Datagram& d) {
  constexpr std::size_t kHandshakeHeaderBytes = 12;
  const std::size_t body_bytes = d.size() - kRecordHeaderBytes - kHandshakeHeaderBytes;
  const std::size_t first_bytes = body_bytes / 2;
  auto make = [&](std::size_t offset, std::size_t length, std::uint64_t seq_add) {
    Datagram r(d.begin(), d.begin() + kRecordHeaderBytes + kHandshakeHeaderBytes);
    std::uint64_t seq = 0;
    for (int i = 5; i < 11; ++i) seq = (seq << 8) | r[i];
    seq += seq_add;
    for (int i = 10; i >= 5; --i, seq >>= 8) r[i] = static_cast<std::uint8_t>(seq);
    const std::size_t record_length = kHandshakeHeaderBytes + length;
    r[11] = static_cast<std::uint8_t>(record_length >> 8);
    r[12] = static_cast<std::uint8_t>(record_length);
    std::uint8_t* hs = r.data() + kRecordHeaderBytes;
    hs[6] = static_cast<std::uint8_t>(offset >> 16);  // fragment_offset
    hs[7] = static_cast<std::uint8_t>(offset >> 8);
    hs[8] = static_cast<std::uint8_t>(offset);
    hs[9] = static_cast<std::uint8_t>(length >> 16);  // fragment_length
    hs[10] = static_cast<std::uint8_t>(length >> 8);
    hs[11] = static_cast<std::uint8_t>(length);
    const auto body = d.begin() + kRecordHeaderBytes + kHandshakeHeaderBytes + offset;
    r.insert(r.end(), body, body + length);
    return r;
  };
  return {make(0, first_bytes, 0), make(first_bytes, body_bytes - first_bytes, 1)};
}

// Adds one to the sequence number of every epoch-0 record: after the split above the client's
// later plaintext records must not reuse the number the second fragment took (replay window).
void ShiftEpochZeroSequence(Datagram& d) {
  std::size_t offset = 0;
  while (offset + kRecordHeaderBytes <= d.size()) {
    std::uint8_t* h = d.data() + offset;
    if (h[3] == 0 && h[4] == 0) {
      for (int i = 10; i >= 5; --i) {
        if (++h[i] != 0) break;
      }
    }
    offset += kRecordHeaderBytes + ((std::size_t{h[11]} << 8) | h[12]);
  }
}

// Chromium sends its ClientHello as two fragments in two datagrams; OpenSSL on the server must
// reassemble them as they arrive one by one.
TEST_F(DtlsTransportTest, ClientHelloSplitInTwoDatagramsConnects) {
  MakePair();
  ExchangeFingerprints();
  client_->Start();
  ASSERT_EQ(client_end_.outbox.size(), 1u);
  const Datagram hello = std::move(client_end_.outbox.front());
  client_end_.outbox.pop_front();
  ASSERT_EQ(SplitRecords(hello).value_or(std::vector<std::size_t>{}).size(), 1u);
  ASSERT_EQ(hello[kRecordHeaderBytes], 1) << "not a ClientHello";
  auto [first, second] = SplitHandshakeRecord(hello);

  server_->Feed(first);
  EXPECT_TRUE(server_end_.outbox.empty()) << "server answered half a ClientHello";
  server_->Feed(second);
  ASSERT_FALSE(server_end_.outbox.empty()) << "server did not answer the reassembled hello";

  // Deliver the rest, shifting the client's epoch-0 sequence numbers past the extra record.
  for (int round = 0; round < kMaxPumpRounds; ++round) {
    if (server_end_.outbox.empty() && client_end_.outbox.empty()) break;
    while (!server_end_.outbox.empty()) {
      client_->Feed(server_end_.outbox.front());
      server_end_.outbox.pop_front();
    }
    while (!client_end_.outbox.empty()) {
      ShiftEpochZeroSequence(client_end_.outbox.front());
      server_->Feed(client_end_.outbox.front());
      client_end_.outbox.pop_front();
    }
  }
  EXPECT_EQ(server_end_.connected_calls, 1) << server_end_.failure.value_or("");
  EXPECT_EQ(client_end_.connected_calls, 1) << client_end_.failure.value_or("");
}

TEST_F(DtlsTransportTest, LostServerFlightIsRetransmittedAfterTimeout) {
  DtlsTransportOptions options;
  options.initial_retransmit_timeout = DtlsTransport::kMinRetransmitTimeout;
  MakePair(options, options);
  ExchangeFingerprints();
  client_->Start();
  // Lose everything the server sends in answer to the ClientHello.
  Pump([](bool from_server, const Datagram&) { return from_server; });
  EXPECT_EQ(client_end_.connected_calls, 0);
  ASSERT_TRUE(server_->NextTimeout().has_value());
  const std::size_t sent_before = server_end_.sent.size();

  WaitForTimer(*server_);
  server_->HandleTimeout();
  EXPECT_GT(server_end_.sent.size(), sent_before) << "flight was not retransmitted";
  Pump();
  EXPECT_EQ(server_end_.connected_calls, 1) << server_end_.failure.value_or("");
  EXPECT_EQ(client_end_.connected_calls, 1) << client_end_.failure.value_or("");
}

TEST_F(DtlsTransportTest, SilentPeerFailsAfterRetransmissionsRunOut) {
  DtlsTransportOptions options;
  options.initial_retransmit_timeout = DtlsTransport::kMinRetransmitTimeout;
  options.max_retransmit_timeout = DtlsTransport::kMinRetransmitTimeout;
  MakePair(options, options);
  ExchangeFingerprints();
  client_->Start();
  EXPECT_EQ(client_end_.sent.size(), 1u);  // no retransmission before the timer runs out
  client_end_.outbox.clear();              // the server never hears anything
  for (int i = 0; i < 100 && client_end_.failed_calls == 0; ++i) {
    WaitForTimer(*client_);
    client_->HandleTimeout();
  }
  EXPECT_EQ(client_end_.failed_calls, 1);
  EXPECT_NE(client_end_.failure.value_or("").find("timed out"), std::string::npos);
  EXPECT_GT(client_end_.sent.size(), 5u);  // the ClientHello went out several times
  EXPECT_FALSE(client_->NextTimeout().has_value());
}

TEST_F(DtlsTransportTest, HandleTimeoutBeforeExpirySendsNothing) {
  DtlsTransportOptions options;
  options.initial_retransmit_timeout = 10s;
  MakePair(options, options);
  ExchangeFingerprints();
  client_->Start();
  const std::size_t sent = client_end_.sent.size();
  ASSERT_TRUE(client_->NextTimeout().has_value());
  EXPECT_GT(*client_->NextTimeout(), 5s);
  client_->HandleTimeout();
  EXPECT_EQ(client_end_.sent.size(), sent);
}

TEST_F(DtlsTransportTest, WrongFingerprintOnServerFails) {
  MakePair();
  // The server expects some other certificate (its own).
  ASSERT_TRUE(server_->SetRemoteFingerprint("sha-256", server_context_->FingerprintSha256()));
  ASSERT_TRUE(client_->SetRemoteFingerprint("sha-256", server_context_->FingerprintSha256()));
  client_->Start();
  Pump();
  EXPECT_EQ(server_end_.connected_calls, 0);
  EXPECT_EQ(server_end_.failed_calls, 1);
  EXPECT_NE(server_end_.failure.value_or("").find("fingerprint"), std::string::npos);
  EXPECT_EQ(server_->GetState(), DtlsTransport::State::kFailed);
  // The client learns through close_notify and fails too.
  EXPECT_EQ(client_end_.failed_calls, 1);
  EXPECT_EQ(client_->GetState(), DtlsTransport::State::kFailed);
}

TEST_F(DtlsTransportTest, WrongFingerprintOnClientFails) {
  MakePair();
  ASSERT_TRUE(server_->SetRemoteFingerprint("sha-256", client_context_->FingerprintSha256()));
  ASSERT_TRUE(client_->SetRemoteFingerprint("sha-256", client_context_->FingerprintSha256()));
  client_->Start();
  Pump();
  EXPECT_EQ(client_end_.connected_calls, 0);
  EXPECT_EQ(client_end_.failed_calls, 1);
  EXPECT_NE(client_end_.failure.value_or("").find("fingerprint"), std::string::npos);
}

TEST_F(DtlsTransportTest, MissingRemoteFingerprintFails) {
  MakePair();
  ASSERT_TRUE(client_->SetRemoteFingerprint("sha-256", server_context_->FingerprintSha256()));
  client_->Start();
  Pump();
  EXPECT_EQ(server_end_.connected_calls, 0);
  EXPECT_EQ(server_end_.failed_calls, 1);
}

TEST_F(DtlsTransportTest, CloseNotifyReachesPeer) {
  MakePair();
  ExchangeFingerprints();
  client_->Start();
  Pump();
  ASSERT_EQ(server_end_.connected_calls, 1);
  client_->Close();
  EXPECT_EQ(client_->GetState(), DtlsTransport::State::kClosed);
  Pump();
  EXPECT_EQ(server_end_.failed_calls, 1);
  EXPECT_NE(server_end_.failure.value_or("").find("close_notify"), std::string::npos);
  EXPECT_EQ(client_end_.failed_calls, 0);
}

TEST_F(DtlsTransportTest, GarbageIsDroppedWithoutDisturbingTheHandshake) {
  MakePair();
  ExchangeFingerprints();
  std::mt19937 rng(4242);
  auto garbage = [&rng](std::size_t size, std::uint8_t first) {
    Datagram d(size);
    for (auto& b : d) b = static_cast<std::uint8_t>(rng());
    if (!d.empty()) d[0] = first;
    return d;
  };
  auto feed_garbage = [&](DtlsTransport& t) {
    t.Feed({});
    for (std::size_t size : {1u, 2u, 12u, 13u, 14u, 100u, 1200u, 5000u}) {
      for (std::uint8_t first : {0u, 19u, 22u, 23u, 25u, 63u, 64u, 128u, 255u}) {
        t.Feed(garbage(size, first));
      }
    }
    // A record header that claims more bytes than the datagram has.
    Datagram truncated = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x00, 1, 2, 3};
    t.Feed(truncated);
    t.Feed(Datagram(DtlsTransport::kMaxDatagramBytes + 1, 22));
  };
  feed_garbage(*server_);  // before the handshake
  client_->Start();
  ASSERT_FALSE(client_end_.outbox.empty());
  server_->Feed(client_end_.outbox.front());
  client_end_.outbox.pop_front();
  feed_garbage(*client_);  // mid-handshake
  feed_garbage(*server_);
  Pump();
  ASSERT_EQ(server_end_.connected_calls, 1) << server_end_.failure.value_or("");
  ASSERT_EQ(client_end_.connected_calls, 1) << client_end_.failure.value_or("");
  feed_garbage(*server_);  // after
  feed_garbage(*client_);
  Pump();
  EXPECT_EQ(server_->GetState(), DtlsTransport::State::kConnected);
  EXPECT_EQ(client_->GetState(), DtlsTransport::State::kConnected);
  EXPECT_GT(server_->DroppedDatagrams(), 0u);
}

TEST_F(DtlsTransportTest, NegotiatedKeysProtectMediaBothWays) {
  MakePair();
  ExchangeFingerprints();
  client_->Start();
  Pump();
  ASSERT_TRUE(server_end_.keys && client_end_.keys);
  const SrtpKeyMaterial& s = *server_end_.keys;
  const SrtpKeyMaterial& c = *client_end_.keys;
  auto client_out =
      SrtpSession::Create(c.profile, SrtpSession::Direction::kOutbound, c.local_key_salt);
  auto server_in =
      SrtpSession::Create(s.profile, SrtpSession::Direction::kInbound, s.remote_key_salt);
  auto server_out =
      SrtpSession::Create(s.profile, SrtpSession::Direction::kOutbound, s.local_key_salt);
  auto client_in =
      SrtpSession::Create(c.profile, SrtpSession::Direction::kInbound, c.remote_key_salt);
  ASSERT_TRUE(client_out && server_in && server_out && client_in);

  const std::vector<std::uint8_t> rtp = {0x80, 0x6f, 0x00, 0x01, 0x00, 0x00, 0x03, 0xc0,
                                         0x11, 0x22, 0x33, 0x44, 0xde, 0xad, 0xbe, 0xef};
  for (auto [out, in] : {std::pair{client_out.get(), server_in.get()},
                         std::pair{server_out.get(), client_in.get()}}) {
    std::vector<std::uint8_t> buffer(1500);
    std::copy(rtp.begin(), rtp.end(), buffer.begin());
    std::size_t len = rtp.size();
    ASSERT_TRUE(out->ProtectRtp(buffer.data(), &len, buffer.size()));
    ASSERT_TRUE(in->UnprotectRtp(buffer.data(), &len));
    EXPECT_EQ(std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + len), rtp);
  }
  // Keys are per direction: the server cannot read its own outbound with its inbound key.
  std::vector<std::uint8_t> buffer(1500);
  std::copy(rtp.begin(), rtp.end(), buffer.begin());
  buffer[3] = 2;  // a fresh sequence number
  std::size_t len = rtp.size();
  ASSERT_TRUE(server_out->ProtectRtp(buffer.data(), &len, buffer.size()));
  EXPECT_FALSE(server_in->UnprotectRtp(buffer.data(), &len));
}

}  // namespace
}  // namespace chorus::rtc
