#include "http/Router.hpp"

namespace chorus::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return parts;
}

}  // namespace

void Router::Add(Verb method, std::string pattern, Handler handler) {
  Route r{method, pattern, {}, std::move(handler)};
  for (auto part : SplitPath(pattern)) r.segments.emplace_back(part);
  routes_.push_back(std::move(r));
}

bool Router::MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                           std::unordered_map<std::string, std::string>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = route.segments[i];
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      if (params) (*params)[seg.substr(1, seg.size() - 2)] = std::string(parts[i]);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

Router::Match Router::Find(Verb method, std::string_view path) const {
  Match m;
  const auto parts = SplitPath(path);
  for (const auto& r : routes_) {
    if (!MatchSegments(r, parts, nullptr)) continue;
    if (r.method == method || (method == Verb::head && r.method == Verb::get)) {
      m.handler = &r.handler;
      m.pattern = r.pattern;
      MatchSegments(r, parts, &m.params);
      return m;
    }
    m.path_known = true;
    if (!m.allowed.empty()) m.allowed += ", ";
    m.allowed += std::string(beast::http::to_string(r.method));
  }
  return m;
}

}  // namespace chorus::http
