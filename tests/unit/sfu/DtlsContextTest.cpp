// DtlsContext and Certificate: the per-process identity, and sharing one context across threads.
#include "rtc/DtlsContext.hpp"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <atomic>
#include <deque>
#include <thread>
#include <vector>

#include "rtc/Certificate.hpp"
#include "rtc/DtlsTransport.hpp"

namespace chorus::rtc {
namespace {

TEST(CertificateTest, IsSelfSignedP256WithMatchingFingerprint) {
  auto certificate = Certificate::Generate("chorus-test");
  ASSERT_TRUE(certificate.has_value());
  X509* x509 = certificate->X509Cert();
  EVP_PKEY* key = certificate->PrivateKey();
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
  char group[64] = {};
  std::size_t group_len = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(key, group, sizeof(group), &group_len), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_verify(x509, key), 1);  // signed by its own key
  EXPECT_EQ(X509_cmp_current_time(X509_get0_notBefore(x509)), -1);
  EXPECT_EQ(X509_cmp_current_time(X509_get0_notAfter(x509)), 1);

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  ASSERT_EQ(X509_digest(x509, EVP_sha256(), digest, &digest_len), 1);
  const std::vector<std::uint8_t> expected(digest, digest + digest_len);
  EXPECT_EQ(certificate->FingerprintSha256(), Certificate::FormatFingerprint(expected));
  EXPECT_EQ(Certificate::ParseFingerprint(certificate->FingerprintSha256()), expected);
}

TEST(CertificateTest, ParseFingerprintRejectsMalformedText) {
  EXPECT_EQ(Certificate::ParseFingerprint("AB:cd:01"),
            (std::vector<std::uint8_t>{0xab, 0xcd, 0x01}));
  for (const char* bad : {"", "A", "ABC", "AB:", "AB-CD", "AB:CD:", ":AB", "AB::CD", "GG"}) {
    EXPECT_FALSE(Certificate::ParseFingerprint(bad).has_value()) << bad;
  }
}

// Records what a transport sends; enough for a loopback handshake on one thread.
struct QueueEnd : DtlsTransport::Listener {
  std::deque<std::vector<std::uint8_t>> outbox;
  bool connected = false;
  bool failed = false;
  void OnDtlsSendDatagram(std::span<const std::uint8_t> d) override {
    outbox.emplace_back(d.begin(), d.end());
  }
  void OnDtlsConnected(const SrtpKeyMaterial&) override { connected = true; }
  void OnDtlsFailed(std::string_view) override { failed = true; }
};

bool Handshake(const DtlsContext& server_context, const DtlsContext& client_context) {
  QueueEnd server_end;
  QueueEnd client_end;
  DtlsTransport server(server_context, DtlsTransport::Role::kServer, server_end);
  DtlsTransport client(client_context, DtlsTransport::Role::kClient, client_end);
  server.SetRemoteFingerprint("sha-256", client_context.FingerprintSha256());
  client.SetRemoteFingerprint("sha-256", server_context.FingerprintSha256());
  client.Start();
  for (int round = 0; round < 100; ++round) {
    if (client_end.outbox.empty() && server_end.outbox.empty()) break;
    for (; !client_end.outbox.empty(); client_end.outbox.pop_front()) {
      server.Feed(client_end.outbox.front());
    }
    for (; !server_end.outbox.empty(); server_end.outbox.pop_front()) {
      client.Feed(server_end.outbox.front());
    }
  }
  return server_end.connected && client_end.connected && !server_end.failed && !client_end.failed;
}

TEST(DtlsContextTest, OneContextServesHandshakesOnSeveralThreads) {
  auto server_context = DtlsContext::Create();
  auto client_context = DtlsContext::Create();
  ASSERT_TRUE(server_context && client_context);
  constexpr int kThreads = 3;
  constexpr int kHandshakesPerThread = 5;
  std::atomic<int> connected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kHandshakesPerThread; ++i) {
        if (Handshake(*server_context, *client_context)) ++connected;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(connected.load(), kThreads * kHandshakesPerThread);
}

}  // namespace
}  // namespace chorus::rtc
