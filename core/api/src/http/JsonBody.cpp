#include "http/JsonBody.hpp"

#include <algorithm>

#include "http/ApiError.hpp"

namespace chorus::http {
namespace json = boost::json;

JsonBody JsonBody::Parse(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return JsonBody(json::object{});
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) throw BadRequest("request body is not valid JSON: " + ec.message(), "invalid_json");
  if (!v.is_object()) throw BadRequest("request body must be a JSON object", "invalid_json");
  return JsonBody(std::move(v.as_object()));
}

void JsonBody::AllowOnly(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [key, _] : object_) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end()) {
      throw BadRequest("unknown field '" + std::string(key) + "'", "unknown_field");
    }
  }
}

std::string JsonBody::RequireString(std::string_view key, std::size_t min_len,
                                    std::size_t max_len) const {
  auto s = OptString(key, min_len, max_len);
  if (!s) throw BadRequest("field '" + std::string(key) + "' is required", "missing_field");
  return *s;
}

std::optional<std::string> JsonBody::OptString(std::string_view key, std::size_t min_len,
                                               std::size_t max_len) const {
  const auto* v = object_.if_contains(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw BadRequest("field '" + std::string(key) + "' must be a string");
  const auto& s = v->get_string();
  if (s.size() < min_len || s.size() > max_len) {
    throw BadRequest("field '" + std::string(key) + "' must be " + std::to_string(min_len) + "–" +
                     std::to_string(max_len) + " characters");
  }
  return std::string(s);
}

std::optional<bool> JsonBody::OptBool(std::string_view key) const {
  const auto* v = object_.if_contains(key);
  if (!v) return std::nullopt;
  if (!v->is_bool()) throw BadRequest("field '" + std::string(key) + "' must be a boolean");
  return v->get_bool();
}

std::optional<std::int64_t> JsonBody::OptInt(std::string_view key, std::int64_t min,
                                             std::int64_t max) const {
  const auto* v = object_.if_contains(key);
  if (!v) return std::nullopt;
  std::int64_t n = 0;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    n = static_cast<std::int64_t>(v->get_uint64());
  } else {
    throw BadRequest("field '" + std::string(key) + "' must be an integer");
  }
  if (n < min || n > max) {
    throw BadRequest("field '" + std::string(key) + "' must be between " + std::to_string(min) +
                     " and " + std::to_string(max));
  }
  return n;
}

std::optional<std::optional<std::int64_t>> JsonBody::OptNullableInt(std::string_view key,
                                                                    std::int64_t min,
                                                                    std::int64_t max) const {
  const auto* v = object_.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_null()) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{OptInt(key, min, max)};
}

}  // namespace chorus::http
