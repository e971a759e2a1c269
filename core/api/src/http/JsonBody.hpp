// Strict reading of JSON request bodies: the body must be an object, every field must be known,
// and each has the expected type and range. Violations throw ApiError 400 naming the field.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace chorus::http {

class JsonBody {
 public:
  // Parses `body` as a JSON object; an empty body counts as {}. Throws 400 invalid_json.
  static JsonBody Parse(std::string_view body);

  // Refuses any field not in `allowed` (400 unknown_field).
  void AllowOnly(std::initializer_list<std::string_view> allowed) const;

  bool Has(std::string_view key) const { return object_.contains(key); }
  std::string RequireString(std::string_view key, std::size_t min_len, std::size_t max_len) const;
  std::optional<std::string> OptString(std::string_view key, std::size_t min_len,
                                       std::size_t max_len) const;
  std::optional<bool> OptBool(std::string_view key) const;
  std::optional<std::int64_t> OptInt(std::string_view key, std::int64_t min,
                                     std::int64_t max) const;
  // A nullable integer: absent → nullopt; null → optional holding nullopt.
  std::optional<std::optional<std::int64_t>> OptNullableInt(std::string_view key, std::int64_t min,
                                                            std::int64_t max) const;
  const boost::json::object& Object() const { return object_; }

 private:
  explicit JsonBody(boost::json::object object) : object_(std::move(object)) {}
  boost::json::object object_;
};

}  // namespace chorus::http
