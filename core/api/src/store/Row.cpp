#include "store/Row.hpp"

#include <charconv>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "store/DbError.hpp"

namespace chorus::store {

const Value& Row::At(std::size_t i) const {
  if (i >= values_.size()) {
    throw DbError(fmt::format("column {} out of range (row has {})", i, values_.size()));
  }
  return values_[i];
}

bool Row::IsNull(std::size_t i) const {
  return std::holds_alternative<std::monostate>(At(i));
}

std::int64_t Row::Int(std::size_t i) const {
  const Value& v = At(i);
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) {
    if (std::trunc(*d) == *d) return static_cast<std::int64_t>(*d);
    throw DbError(fmt::format("column {} is a non-integral real", i));
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec == std::errc() && end == s->data() + s->size()) return out;
    throw DbError(fmt::format("column {} is text, not an integer", i));
  }
  throw DbError(fmt::format("column {} is NULL", i));
}

double Row::Real(std::size_t i) const {
  const Value& v = At(i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  if (const auto* s = std::get_if<std::string>(&v)) {
    double out = 0;
    const auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec == std::errc() && end == s->data() + s->size()) return out;
    throw DbError(fmt::format("column {} is text, not a number", i));
  }
  throw DbError(fmt::format("column {} is NULL", i));
}

std::string Row::Text(std::size_t i) const {
  const Value& v = At(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);
  throw DbError(fmt::format("column {} is NULL", i));
}

std::optional<std::int64_t> Row::OptInt(std::size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

std::optional<std::string> Row::OptText(std::size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

}  // namespace chorus::store
