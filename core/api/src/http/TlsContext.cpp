#include "http/TlsContext.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <fmt/format.h>
#include <boost/asio/ip/address.hpp>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace chorus::http {
namespace {

namespace ssl = boost::asio::ssl;
constexpr long kSelfSignedDays = 365;

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("self-signed certificate: ") + what);
}

// "IP:10.0.0.1,DNS:example.org" for subjectAltName.
std::string SubjectAltName(const std::vector<std::string>& hosts) {
  std::string san;
  for (const auto& host : hosts) {
    if (host.empty()) continue;
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    if (!san.empty()) san += ",";
    san += (ec ? "DNS:" : "IP:") + host;
  }
  return san.empty() ? "DNS:localhost" : san;
}

void WritePem(const std::filesystem::path& path, mode_t mode, auto&& write) {
  const auto tmp = path.string() + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  Check(f != nullptr, "cannot create a file in the tls directory");
  ::chmod(tmp.c_str(), mode);
  const bool ok = write(f) == 1;
  std::fclose(f);
  Check(ok, "cannot write PEM");
  std::filesystem::rename(tmp, path);
}

}  // namespace

std::shared_ptr<ssl::context> LoadTlsContext(const std::string& cert_path,
                                             const std::string& key_path) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_path, ec);
  if (ec) throw std::runtime_error("--tls-cert " + cert_path + ": " + ec.message());
  ctx->use_private_key_file(key_path, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("--tls-key " + key_path + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    throw std::runtime_error("--tls-key " + key_path + " does not match --tls-cert");
  }
  return ctx;
}

CertificateFiles EnsureSelfSigned(const std::string& dir, const std::vector<std::string>& hosts) {
  const std::filesystem::path base(dir);
  CertificateFiles files{(base / "cert.pem").string(), (base / "key.pem").string()};
  if (std::filesystem::exists(files.cert) && std::filesystem::exists(files.key)) return files;
  std::filesystem::create_directories(base);

  KeyPtr key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EC P-256 key generation failed");
  CertPtr cert(X509_new());
  Check(cert != nullptr, "X509_new failed");
  Check(X509_set_version(cert.get(), 2) == 1, "version");
  unsigned char serial[16];
  Check(RAND_bytes(serial, sizeof serial) == 1, "random serial");
  serial[0] &= 0x7f;  // a positive INTEGER (RFC 5280 §4.1.2.2)
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  Check(bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr,
        "serial");
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kSelfSignedDays * 24 * 3600);
  Check(X509_set_pubkey(cert.get(), key.get()) == 1, "public key");
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn = hosts.empty() || hosts.front().empty() ? "localhost" : hosts.front();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Chorus development"), -1, -1,
                             0);
  Check(X509_set_issuer_name(cert.get(), name) == 1, "issuer");
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::string san = SubjectAltName(hosts);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, san.c_str()},
                                   std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                                   std::pair{NID_ext_key_usage, "serverAuth"}}) {
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value));
    Check(ext != nullptr && X509_add_ext(cert.get(), ext.get(), -1) == 1, "extension");
  }
  Check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signing");

  WritePem(files.key, 0600, [&](FILE* f) {
    return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  WritePem(files.cert, 0644, [&](FILE* f) { return PEM_write_X509(f, cert.get()); });
  return files;
}

std::string CertificateFingerprint(const std::string& cert_path) {
  FILE* f = std::fopen(cert_path.c_str(), "r");
  if (!f) return {};
  CertPtr cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (!cert) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert.get(), EVP_sha256(), md, &len) != 1) return {};
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02X}", md[i]);
  return hex;
}

}  // namespace chorus::http
