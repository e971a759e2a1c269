// Maps (method, path pattern) to handlers. Patterns are literal segments and {name} parameters,
// e.g. /api/voice/streams/{id}/join.
#pragma once

#include <string>
#include <vector>

#include "http/Types.hpp"

namespace chorus::http {

class Router {
 public:
  void Add(Verb method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: no route for this method
    std::string pattern;
    std::unordered_map<std::string, std::string> params;
    bool path_known = false;  // some route matches the path with another method (→ 405)
    std::string allowed;      // Allow header value when path_known
  };
  // Finds the handler for a request path (without query string).
  Match Find(Verb method, std::string_view path) const;

 private:
  struct Route {
    Verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  static bool MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                            std::unordered_map<std::string, std::string>* params);
  std::vector<Route> routes_;
};

}  // namespace chorus::http
