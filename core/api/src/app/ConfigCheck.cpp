#include "app/ConfigCheck.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <exception>
#include <optional>
#include <string>

#include "http/TlsContext.hpp"
#include "http/TrustedProxies.hpp"

namespace chorus::app {
namespace {

// "postgres://user:secret@host/db" → "postgres://user:***@host/db"; other URLs as they are.
std::string WithoutPassword(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

// Why `listen` ("host:port", "[v6]:port") cannot be listened on, as the servers would resolve it;
// nullopt when it can.
std::optional<std::string> ListenProblem(const std::string& flag, const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return flag + " " + listen + ": expected host:port";
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
      port.size() > 5 || std::stoi(port) > 65535) {
    return flag + " " + listen + ": the port must be a number 0-65535";
  }
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::resolver resolver(ioc);
  boost::system::error_code error;
  const auto endpoints = resolver.resolve(host, port, error);
  if (error || endpoints.empty()) return flag + " " + listen + ": " + error.message();
  return std::nullopt;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

int RunConfigCheck(const config::Config& config, const config::AnnouncePlan& announce,
                   std::ostream& out) {
  int status = 0;
  std::vector<std::string> problems;
  const auto& http = config.http;
  if (auto problem = ListenProblem("--listen", http.listen)) problems.push_back(*problem);
  if (!http.redirect_listen.empty()) {
    if (auto problem = ListenProblem("--http-redirect-listen", http.redirect_listen)) {
      problems.push_back(*problem);
    }
  }
  out << "chorusd --check\n";
  out << "  http listen        " << http.listen << (http.Tls() ? " (HTTPS and WSS)" : " (HTTP)")
      << "\n";
  out << "  public url         " << config.public_url << "\n";
  if (!http.tls_cert.empty()) {
    try {
      http::LoadTlsContext(http.tls_cert, http.tls_key);
      const auto fingerprint = http::CertificateFingerprint(http.tls_cert);
      out << "  tls certificate    " << http.tls_cert << " (sha-256 " << fingerprint << ")\n";
    } catch (const std::exception& e) {
      problems.push_back(std::string("TLS: ") + e.what());
    }
  } else if (http.tls_self_signed) {
    out << "  tls certificate    self-signed, under " << config.data_dir << "/tls\n";
  }
  if (!http.redirect_listen.empty()) {
    out << "  http redirect      " << http.redirect_listen << " -> " << config.public_url << "\n";
  }
  if (!http.trusted_proxies.empty()) {
    try {
      http::TrustedProxies proxies(http.trusted_proxies);
      out << "  trusted proxies    " << http.trusted_proxies << "\n";
    } catch (const std::exception& e) {
      problems.push_back(std::string("--trusted-proxies: ") + e.what());
    }
  }
  const auto& rtc = config.rtc;
  out << "  media udp          " << rtc.bind << ":" << rtc.udp_port << "\n";
  if (rtc.tcp_max_connections > 0) {
    out << "  media tcp          " << rtc.bind << ":"
        << (rtc.tcp_port > 0 ? rtc.tcp_port : rtc.udp_port) << " (ICE-TCP, at most "
        << rtc.tcp_max_connections << " connections)\n";
  } else {
    out << "  media tcp          off\n";
  }
  out << "  media announced    " << Join(announce.addresses) << " (" << announce.source << ")\n";
  out << "  turn               "
      << (config.turn.urls.empty() ? std::string("none") : Join(config.turn.urls)) << "\n";
  out << "  database           " << WithoutPassword(config.database_url) << "\n";
  out << "  state              "
      << (config.redis_url.empty() ? std::string("in-process") : WithoutPassword(config.redis_url))
      << "\n";
  out << "  data dir           " << config.data_dir << "\n";
  for (const auto& warning : announce.warnings) out << "WARNING: " << warning << "\n";
  for (const auto& problem : problems) {
    out << "ERROR: " << problem << "\n";
    status = 2;
  }
  out << (status == 0 ? "configuration ok\n" : "configuration refused\n");
  return status;
}

}  // namespace chorus::app
