// Which host names a request may name, in its Host header (DNS rebinding) and in its Origin
// (CSRF, and the /rtc WebSocket upgrade). Allowed: the loopback names localhost, 127.0.0.1 and
// [::1], the host of --public-url, and each --allowed-hosts entry (".example.com" = it and its
// subdomains). Names are compared case-insensitively without a trailing dot; ports are ignored:
// a DNS-rebinding page names the attacker's host, whatever the port.
// Thread affinity: immutable after construction, shared by every connection.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/Config.hpp"
#include "http/Types.hpp"

namespace chorus::http {

class OriginPolicy {
 public:
  explicit OriginPolicy(const config::Config& config);
  OriginPolicy(std::string_view public_url, const std::vector<std::string>& allowed_hosts);

  // True when a Host header value ("name", "name:port", "[v6]:port") names an allowed host.
  bool AllowsHost(std::string_view host_header) const;
  // True when an Origin header value ("http(s)://host[:port]") names an allowed host. "null",
  // other schemes, paths and user info are not allowed.
  bool AllowsOrigin(std::string_view origin) const;

 private:
  bool AllowsName(std::string_view name) const;
  std::vector<std::string> exact_;     // lower-case names
  std::vector<std::string> suffixes_;  // ".example.com" entries, lower-case
};

// The same-origin rule of chorusd: false when `Sec-Fetch-Site: cross-site`, when `Origin` is
// "null", or when `Origin` names a host the policy does not allow — never compared with the
// request's own Host, which a DNS-rebinding page controls. A request without Origin (not sent
// by a browser on a cross-origin POST or a WebSocket upgrade) passes.
// For the /rtc upgrade: `if (!http::IsSameOrigin(ctx.request, *ctx.origins)) → 403 forbidden`.
bool IsSameOrigin(const Request& req, const OriginPolicy& policy);

// Throws 421 host_not_allowed when the Host header names a host the policy does not allow, and
// 400 invalid_argument when an HTTP/1.1 request has no Host or more than one (RFC 9112 §3.2).
void CheckHost(const Request& req, const OriginPolicy& policy);

// DESIGN.md's CSRF rule for state-changing requests: throws 403 forbidden unless IsSameOrigin,
// then 415 unless the request carries the JSON content type or X-Requested-With, which a
// cross-site HTML form cannot send.
void CheckCsrf(const Request& req, const OriginPolicy& policy);

}  // namespace chorus::http
