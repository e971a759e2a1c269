#include "http/JsonBody.hpp"

#include <gtest/gtest.h>

#include "http/ApiError.hpp"

namespace chorus::http {
namespace {

std::string CodeOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ApiError& e) {
    return e.Code();
  }
  return "none";
}

TEST(JsonBody, EmptyBodyIsEmptyObject) {
  EXPECT_TRUE(JsonBody::Parse("  ").Object().empty());
}

TEST(JsonBody, RefusesMalformedAndNonObjects) {
  EXPECT_EQ(CodeOf([] { JsonBody::Parse("{bad"); }), "invalid_json");
  EXPECT_EQ(CodeOf([] { JsonBody::Parse("[1,2]"); }), "invalid_json");
  EXPECT_EQ(CodeOf([] { JsonBody::Parse("\"x\""); }), "invalid_json");
}

TEST(JsonBody, RefusesUnknownFields) {
  auto body = JsonBody::Parse(R"({"title":"a","bogus":1})");
  EXPECT_EQ(CodeOf([&] { body.AllowOnly({"title"}); }), "unknown_field");
  EXPECT_EQ(CodeOf([&] { body.AllowOnly({"title", "bogus"}); }), "none");
}

TEST(JsonBody, ChecksTypesAndRanges) {
  auto body = JsonBody::Parse(R"({"s":"abc","n":5,"b":true,"z":null,"f":1.5,"big":-1})");
  EXPECT_EQ(body.RequireString("s", 1, 3), "abc");
  EXPECT_EQ(CodeOf([&] { body.RequireString("s", 4, 10); }), "invalid_argument");
  EXPECT_EQ(CodeOf([&] { body.RequireString("missing", 1, 3); }), "missing_field");
  EXPECT_EQ(CodeOf([&] { body.OptString("n", 0, 10); }), "invalid_argument");
  EXPECT_EQ(body.OptInt("n", 0, 10), 5);
  EXPECT_EQ(CodeOf([&] { body.OptInt("n", 6, 10); }), "invalid_argument");
  EXPECT_EQ(CodeOf([&] { body.OptInt("f", 0, 10); }), "invalid_argument");
  EXPECT_EQ(CodeOf([&] { body.OptInt("s", 0, 10); }), "invalid_argument");
  EXPECT_EQ(body.OptBool("b"), true);
  EXPECT_EQ(CodeOf([&] { body.OptBool("n"); }), "invalid_argument");
  auto z = body.OptNullableInt("z", 1, 10);
  ASSERT_TRUE(z.has_value());
  EXPECT_FALSE(z->has_value());
  EXPECT_FALSE(body.OptNullableInt("absent", 1, 10).has_value());
}

}  // namespace
}  // namespace chorus::http
