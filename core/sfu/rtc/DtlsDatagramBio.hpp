// A write-only OpenSSL BIO that turns what the DTLS record layer writes into datagrams.
//
// OpenSSL's memory BIO concatenates records, losing datagram boundaries (DESIGN.md "Media
// pitfalls"). OpenSSL's DTLS code writes exactly one record per BIO_write, asks BIO_wpending how
// full the current datagram is when it sizes the next handshake fragment, and calls BIO_flush
// when a datagram is full and at the end of each flight. This BIO honours that contract: a flush
// closes the current datagram. As a safety net a write that would overflow the MTU also closes
// the current datagram first, so every datagram holds whole records and stays <= MTU (unless a
// single record is larger, which OpenSSL avoids once DTLS_set_link_mtu is set).
#pragma once

#include <openssl/bio.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace chorus::rtc {

// Thread affinity: owned by one DtlsTransport, used from its thread only.
class DtlsDatagramBio {
 public:
  // Creates the BIO; this object holds one reference to it.
  explicit DtlsDatagramBio(std::size_t mtu_bytes);
  ~DtlsDatagramBio();
  DtlsDatagramBio(const DtlsDatagramBio&) = delete;
  DtlsDatagramBio& operator=(const DtlsDatagramBio&) = delete;

  // True if the BIO could be created.
  bool Valid() const { return bio_ != nullptr; }

  // A new reference to the BIO, to hand to SSL_set_bio (which takes ownership of it). Either side
  // may be destroyed first.
  BIO* NewReference() const {
    BIO_up_ref(bio_);
    return bio_;
  }

  // Closes the datagram being filled, if any.
  void EndDatagram();

  // Calls `sink(std::span<const uint8_t>)` for each complete datagram in order, then clears.
  template <typename Sink>
  void Drain(Sink&& sink) {
    EndDatagram();
    std::size_t begin = 0;
    for (std::size_t end : datagram_ends_) {
      sink(std::span<const std::uint8_t>(buffer_.data() + begin, end - begin));
      begin = end;
    }
    buffer_.clear();
    datagram_ends_.clear();
    open_begin_ = 0;
  }

  // True if nothing is waiting to be drained.
  bool Empty() const { return buffer_.empty(); }

 private:
  static BIO_METHOD* Method();
  static int Write(BIO* bio, const char* data, int len);
  static long Ctrl(BIO* bio, int cmd, long num, void* ptr);
  static int Create(BIO* bio);
  static int Destroy(BIO* bio);

  std::size_t OpenDatagramBytes() const { return buffer_.size() - open_begin_; }

  BIO* bio_ = nullptr;
  std::size_t mtu_bytes_;
  std::vector<std::uint8_t> buffer_;        // all pending datagrams back to back
  std::vector<std::size_t> datagram_ends_;  // end offset of each closed datagram
  std::size_t open_begin_ = 0;              // start of the datagram being filled
};

}  // namespace chorus::rtc
