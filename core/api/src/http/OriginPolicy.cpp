#include "http/OriginPolicy.hpp"

#include <algorithm>
#include <cctype>

#include "http/ApiError.hpp"

namespace chorus::http {
namespace {

constexpr std::string_view kLoopbackNames[] = {"localhost", "127.0.0.1", "[::1]"};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The host name of an authority ("name", "name:port", "[v6]", "[v6]:port"), lower-case and
// without a trailing dot; empty when the authority is malformed (bad port, stray characters).
std::string NameOf(std::string_view authority) {
  std::string_view name = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return {};
    name = authority.substr(0, close + 1);
    const auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return {};
      port = rest.substr(1);
    }
  } else if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
    name = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return {};
  }
  if (port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return {};
  }
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  // RFC 3986 reg-name / IP literal characters only: no user info, path, spaces or controls.
  for (char c : name) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
                    c == '_' || c == '[' || c == ']' || c == ':';
    if (!ok) return {};
  }
  return Lower(name);
}

// The authority of an "http(s)://authority[/…]" URL, or empty for any other shape.
std::string_view AuthorityOf(std::string_view url, bool allow_path) {
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return {};
  }
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    if (!allow_path) return {};
    rest = rest.substr(0, slash);
  }
  return rest;
}

}  // namespace

OriginPolicy::OriginPolicy(const config::Config& config)
    : OriginPolicy(config.public_url, config.allowed_hosts) {}

OriginPolicy::OriginPolicy(std::string_view public_url,
                           const std::vector<std::string>& allowed_hosts) {
  for (auto name : kLoopbackNames) exact_.emplace_back(name);
  if (auto name = NameOf(AuthorityOf(public_url, true)); !name.empty()) {
    exact_.push_back(std::move(name));
  }
  for (const auto& entry : allowed_hosts) {
    if (entry.starts_with('.')) {
      if (auto name = NameOf(std::string_view(entry).substr(1)); !name.empty()) {
        suffixes_.push_back("." + name);
      }
    } else if (auto name = NameOf(entry); !name.empty()) {
      exact_.push_back(std::move(name));
    }
  }
}

bool OriginPolicy::AllowsName(std::string_view name) const {
  if (name.empty()) return false;
  for (const auto& allowed : exact_) {
    if (name == allowed) return true;
  }
  for (const auto& suffix : suffixes_) {
    if (name.ends_with(suffix) || name == std::string_view(suffix).substr(1)) return true;
  }
  return false;
}

bool OriginPolicy::AllowsHost(std::string_view host_header) const {
  return AllowsName(NameOf(host_header));
}

bool OriginPolicy::AllowsOrigin(std::string_view origin) const {
  const auto authority = AuthorityOf(origin, false);
  return !authority.empty() && AllowsName(NameOf(authority));
}

bool IsSameOrigin(const Request& req, const OriginPolicy& policy) {
  if (req["Sec-Fetch-Site"] == "cross-site") return false;
  const auto it = req.find(beast::http::field::origin);
  if (it == req.end()) return true;
  return policy.AllowsOrigin(it->value());
}

void CheckHost(const Request& req, const OriginPolicy& policy) {
  const auto it = req.find(beast::http::field::host);
  if (it == req.end()) {
    if (req.version() >= 11) throw BadRequest("an HTTP/1.1 request needs a Host header");
    return;
  }
  if (req.count(beast::http::field::host) > 1) throw BadRequest("more than one Host header");
  if (!policy.AllowsHost(it->value())) {
    throw ApiError(Status::misdirected_request, "host_not_allowed",
                   "this server does not answer for that Host (see --allowed-hosts)");
  }
}

void CheckCsrf(const Request& req, const OriginPolicy& policy) {
  if (!IsSameOrigin(req, policy)) throw Forbidden("cross-origin request refused");
  const auto type = req[beast::http::field::content_type];
  const bool json_type = type.substr(0, 16) == "application/json";
  if (!json_type && req["X-Requested-With"].empty()) {
    throw ApiError(Status::unsupported_media_type, "unsupported_media_type",
                   "state-changing requests must send Content-Type: application/json");
  }
}

}  // namespace chorus::http
