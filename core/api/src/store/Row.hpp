// Values, rows and result sets returned by Connection::Exec.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace chorus::store {

// One SQL value. Booleans are stored as 0/1 integers, timestamps as epoch milliseconds.
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

// Converts an optional integer to a Value (NULL when empty).
inline Value OptValue(const std::optional<std::int64_t>& v) {
  return v ? Value{*v} : Value{};
}

// Converts an optional string to a Value (NULL when empty).
inline Value OptValue(const std::optional<std::string>& v) {
  return v ? Value{*v} : Value{};
}

// Converts a bool to the 0/1 integer Value the schema stores.
inline Value BoolValue(bool b) {
  return Value{std::int64_t{b ? 1 : 0}};
}

// One result row. Getters convert between integer, real and text where the conversion is
// exact and throw DbError on NULL (except Opt* and IsNull), bad index or unconvertible text.
class Row {
 public:
  Row() = default;
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}

  // Number of columns.
  std::size_t Size() const { return values_.size(); }
  // The raw value of column i.
  const Value& At(std::size_t i) const;
  // True when column i is NULL.
  bool IsNull(std::size_t i) const;
  // Column i as an integer.
  std::int64_t Int(std::size_t i) const;
  // Column i as a 0/1 integer read as bool.
  bool Bool(std::size_t i) const { return Int(i) != 0; }
  // Column i as a double.
  double Real(std::size_t i) const;
  // Column i as text (integers and reals are formatted).
  std::string Text(std::size_t i) const;
  // Column i as an integer, or nullopt when NULL.
  std::optional<std::int64_t> OptInt(std::size_t i) const;
  // Column i as text, or nullopt when NULL.
  std::optional<std::string> OptText(std::size_t i) const;

 private:
  std::vector<Value> values_;
};

using Rows = std::vector<Row>;

}  // namespace chorus::store
