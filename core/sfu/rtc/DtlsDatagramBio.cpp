#include "rtc/DtlsDatagramBio.hpp"

#include <mutex>

namespace chorus::rtc {

DtlsDatagramBio::DtlsDatagramBio(std::size_t mtu_bytes) : mtu_bytes_(mtu_bytes) {
  buffer_.reserve(2 * mtu_bytes_);
  bio_ = BIO_new(Method());
  if (bio_ != nullptr) {
    BIO_set_data(bio_, this);
    BIO_set_init(bio_, 1);
  }
}

DtlsDatagramBio::~DtlsDatagramBio() {
  if (bio_ != nullptr) {
    BIO_set_data(bio_, nullptr);  // the SSL may still hold a reference; make it write nowhere
    BIO_free(bio_);
  }
}

void DtlsDatagramBio::EndDatagram() {
  if (OpenDatagramBytes() == 0) return;
  datagram_ends_.push_back(buffer_.size());
  open_begin_ = buffer_.size();
}

BIO_METHOD* DtlsDatagramBio::Method() {
  // One method table per process, never freed (OpenSSL keeps pointers to it in live BIOs).
  static BIO_METHOD* method = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "chorus dtls datagram");
    if (method == nullptr) return;
    BIO_meth_set_write(method, &DtlsDatagramBio::Write);
    BIO_meth_set_ctrl(method, &DtlsDatagramBio::Ctrl);
    BIO_meth_set_create(method, &DtlsDatagramBio::Create);
    BIO_meth_set_destroy(method, &DtlsDatagramBio::Destroy);
  });
  return method;
}

int DtlsDatagramBio::Write(BIO* bio, const char* data, int len) {
  auto* self = static_cast<DtlsDatagramBio*>(BIO_get_data(bio));
  if (self == nullptr || len < 0) return -1;
  const auto size = static_cast<std::size_t>(len);
  // Keep records whole: never let one straddle two datagrams or push a datagram over the MTU.
  if (self->OpenDatagramBytes() + size > self->mtu_bytes_) self->EndDatagram();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
  self->buffer_.insert(self->buffer_.end(), bytes, bytes + size);
  return len;
}

long DtlsDatagramBio::Ctrl(BIO* bio, int cmd, long /*num*/, void* /*ptr*/) {
  auto* self = static_cast<DtlsDatagramBio*>(BIO_get_data(bio));
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      if (self != nullptr) self->EndDatagram();
      return 1;
    case BIO_CTRL_WPENDING:
      // How full the current datagram is: OpenSSL sizes the next fragment to what is left.
      return self != nullptr ? static_cast<long>(self->OpenDatagramBytes()) : 0;
    case BIO_CTRL_PENDING:
      return 0;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      return 0;  // the MTU given to DTLS_set_link_mtu is already the DTLS payload budget
    default:
      return 0;
  }
}

int DtlsDatagramBio::Create(BIO* bio) {
  BIO_set_init(bio, 0);
  BIO_set_data(bio, nullptr);
  return 1;
}

int DtlsDatagramBio::Destroy(BIO* bio) {
  if (bio == nullptr) return 0;
  BIO_set_data(bio, nullptr);
  return 1;
}

}  // namespace chorus::rtc
