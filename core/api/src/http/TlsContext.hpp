// The TLS side of chorusd's HTTPS (OpenSSL through Asio): server contexts loaded from PEM files,
// and a self-signed development certificate made on request.
// Free functions; no shared state.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

namespace chorus::http {

// A TLS server context with the PEM certificate chain and private key at the given paths
// (TLS 1.2 and later). Throws std::runtime_error naming the file that could not be used.
std::shared_ptr<boost::asio::ssl::context> LoadTlsContext(const std::string& cert_path,
                                                          const std::string& key_path);

struct CertificateFiles {
  std::string cert;
  std::string key;
};

// The self-signed certificate in `dir` (cert.pem, key.pem), made on the first call: an EC P-256
// key and a certificate valid for a year whose subjectAltName lists `hosts` (IP addresses and
// DNS names). Later calls reuse the files. Throws std::runtime_error when they cannot be made.
CertificateFiles EnsureSelfSigned(const std::string& dir, const std::vector<std::string>& hosts);

// The SHA-256 fingerprint of the certificate in a PEM file, as hex (for logs); empty on error.
std::string CertificateFingerprint(const std::string& cert_path);

}  // namespace chorus::http
