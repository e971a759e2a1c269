// One DTLS 1.2 association for DTLS-SRTP (RFC 5764), I/O free: received datagrams come in through
// Feed(), datagrams to send and the outcome go out through a Listener. The SFU uses the server
// role (a=setup:passive), the C++ test peer the client role.
#pragma once

#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtc/DtlsContext.hpp"
#include "rtc/DtlsDatagramBio.hpp"
#include "rtc/SrtpKeyMaterial.hpp"

namespace chorus::rtc {

struct DtlsTransportOptions {
  // Largest datagram we send (DTLS payload, i.e. UDP payload). 1200 keeps us under any path MTU
  // WebRTC meets, as browsers do.
  std::size_t mtu_bytes = 1200;
  // First retransmission timeout of a flight, doubled on each retry up to max_retransmit_timeout
  // (RFC 6347 §4.2.4.1). OpenSSL gives up after 12 retries.
  std::chrono::milliseconds initial_retransmit_timeout{400};
  std::chrono::milliseconds max_retransmit_timeout{6000};
  // SRTP profiles for this connection in preference order, OpenSSL syntax; empty means the
  // context's (DtlsContext::kSrtpProfiles). Lets a test peer act like a client without GCM.
  std::string srtp_profiles;
};

// Thread affinity: not thread-safe; create and use each transport on one thread (its worker).
// Listener callbacks run synchronously inside Start/Feed/HandleTimeout/Close: they must not call
// back into this transport nor destroy it (post such work instead).
class DtlsTransport {
 public:
  enum class Role { kServer, kClient };
  enum class State { kNew, kConnecting, kConnected, kFailed, kClosed };

  class Listener {
   public:
    virtual ~Listener() = default;
    // A datagram to send to the peer as one UDP payload; the span is valid during the call only.
    virtual void OnDtlsSendDatagram(std::span<const std::uint8_t> datagram) = 0;
    // Handshake done and the peer's certificate matched the remote fingerprint. `keys` is valid
    // during the call only (wiped afterwards): create the SrtpSessions from it here.
    virtual void OnDtlsConnected(const SrtpKeyMaterial& keys) = 0;
    // Handshake failure, fingerprint mismatch, fatal alert, timeout, or the peer's close_notify.
    // Called at most once; the transport ignores all input afterwards.
    virtual void OnDtlsFailed(std::string_view reason) = 0;
  };

  static constexpr std::size_t kMinMtuBytes = 256;  // OpenSSL's DTLS minimum
  // OpenSSL treats a timer with under 15 ms left as expired (dtls1_get_timeout), so shorter
  // retransmission timeouts would fire back to back inside one call; options are clamped to this.
  static constexpr std::chrono::milliseconds kMinRetransmitTimeout{30};
  static constexpr std::size_t kMaxDatagramBytes = 16384;  // larger input is dropped

  // Creates the transport on the shared context. Never throws; if OpenSSL cannot allocate, the
  // transport is failed and Start() reports it through OnDtlsFailed.
  DtlsTransport(const DtlsContext& context, Role role, Listener& listener,
                DtlsTransportOptions options = {});
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // Sets the fingerprint from the remote SDP (a=fingerprint:<algorithm> <hex>, RFC 8122 §5), e.g.
  // ("sha-256", "AB:CD:..."). Must be called before the handshake completes. Returns false if the
  // algorithm is unsupported or the hex is malformed (nothing is stored then).
  bool SetRemoteFingerprint(std::string_view algorithm, std::string_view hex);

  // Starts the handshake: the client sends its ClientHello; the server waits for one.
  void Start();

  // Processes one received DTLS datagram (RFC 7983: first byte 20..63). Bad input is dropped
  // and counted; never throws.
  void Feed(std::span<const std::uint8_t> datagram);

  // Time until HandleTimeout() must be called to retransmit, or nullopt if no timer runs.
  std::optional<std::chrono::milliseconds> NextTimeout() const;

  // Retransmits the last flight if its timer expired; fails the transport after too many tries.
  void HandleTimeout();

  // Sends close_notify (if a handshake started) and stops; no callback follows.
  void Close();

  State GetState() const { return state_; }
  Role GetRole() const { return role_; }
  // Datagrams dropped before reaching OpenSSL (empty, too large, not DTLS, after failure).
  std::uint64_t DroppedDatagrams() const { return dropped_datagrams_; }

 private:
  static unsigned int TimerCallback(SSL* ssl, unsigned int previous_us);
  static void InfoCallback(const SSL* ssl, int where, int ret);

  void DoHandshake();
  void ReadAfterHandshake();
  void OnHandshakeDone();
  bool RemoteFingerprintMatches();
  std::optional<SrtpKeyMaterial> ExportKeys();
  void HandleSslError(int ret, std::string_view during);
  void Fail(std::string_view reason);
  void Flush();

  Role role_;
  Listener& listener_;
  DtlsTransportOptions options_;
  State state_ = State::kNew;
  bool construction_failed_ = false;  // reported by Start()
  SSL* ssl_ = nullptr;
  BIO* read_bio_ = nullptr;  // owned by ssl_
  std::unique_ptr<DtlsDatagramBio> write_bio_;
  std::string remote_algorithm_;
  std::vector<std::uint8_t> remote_fingerprint_;
  std::string last_alert_;  // description of the last alert received, for failure reasons
  std::uint64_t dropped_datagrams_ = 0;
  std::array<std::uint8_t, 2048> discard_buffer_{};  // application data is not expected
};

}  // namespace chorus::rtc
