#include "http/Router.hpp"

#include <gtest/gtest.h>

namespace chorus::http {
namespace {

Handler Noop() {
  return
      [](RequestContext&) -> asio::awaitable<std::optional<Response>> { co_return std::nullopt; };
}

TEST(Router, MatchesLiteralAndParameterSegments) {
  Router r;
  r.Add(Verb::get, "/api/streams", Noop());
  r.Add(Verb::get, "/api/streams/{id}", Noop());
  r.Add(Verb::post, "/api/voice/streams/{id}/join", Noop());

  auto m = r.Find(Verb::get, "/api/streams/42");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.pattern, "/api/streams/{id}");
  EXPECT_EQ(m.params.at("id"), "42");

  m = r.Find(Verb::post, "/api/voice/streams/7/join");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.params.at("id"), "7");
}

TEST(Router, ReportsWrongMethodWithAllowedList) {
  Router r;
  r.Add(Verb::get, "/api/streams", Noop());
  r.Add(Verb::post, "/api/streams", Noop());
  auto m = r.Find(Verb::delete_, "/api/streams");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_TRUE(m.path_known);
  EXPECT_EQ(m.allowed, "GET, POST");
}

TEST(Router, UnknownPathIsNotKnown) {
  Router r;
  r.Add(Verb::get, "/api/streams/{id}", Noop());
  auto m = r.Find(Verb::get, "/api/streams/1/extra");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_FALSE(m.path_known);
}

TEST(Router, HeadFallsBackToGet) {
  Router r;
  r.Add(Verb::get, "/healthz", Noop());
  EXPECT_NE(r.Find(Verb::head, "/healthz").handler, nullptr);
}

}  // namespace
}  // namespace chorus::http
