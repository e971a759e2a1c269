#include "http/OriginPolicy.hpp"

#include <gtest/gtest.h>

#include "http/ApiError.hpp"

namespace chorus::http {
namespace {

OriginPolicy Policy() {
  return OriginPolicy("https://chorus.example/app", {"other.example:8443", ".corp.example", " "});
}

Request Post(std::string_view host, std::string_view origin) {
  Request req{Verb::post, "/api/auth/login", 11};
  if (!host.empty()) req.set(beast::http::field::host, host);
  if (!origin.empty()) req.set(beast::http::field::origin, origin);
  req.set(beast::http::field::content_type, "application/json");
  return req;
}

TEST(OriginPolicy, AllowsLoopbackPublicAndListedHostsOnAnyPort) {
  const auto p = Policy();
  for (auto host : {"localhost", "localhost:5173", "127.0.0.1:8080", "[::1]", "[::1]:1",
                    "chorus.example", "Chorus.Example.:443", "other.example", "other.example:80",
                    "corp.example", "a.b.corp.example:9"}) {
    EXPECT_TRUE(p.AllowsHost(host)) << host;
  }
}

TEST(OriginPolicy, RefusesForeignAndMalformedHosts) {
  const auto p = Policy();
  for (auto host : {"", "evil.example", "chorus.example.evil.example", "localhost.evil.example",
                    "xcorp.example", "127.0.0.2", "[::2]", "localhost:", "localhost:abc",
                    "localhost:123456", "user@localhost", "[::1", "[::1]x", "local host"}) {
    EXPECT_FALSE(p.AllowsHost(host)) << host;
  }
}

TEST(OriginPolicy, OriginsNameAllowedHostsOverHttpOnly) {
  const auto p = Policy();
  EXPECT_TRUE(p.AllowsOrigin("https://chorus.example"));
  EXPECT_TRUE(p.AllowsOrigin("http://localhost:5173"));
  EXPECT_TRUE(p.AllowsOrigin("https://x.corp.example"));
  EXPECT_FALSE(p.AllowsOrigin("null"));
  EXPECT_FALSE(p.AllowsOrigin("https://evil.example"));
  EXPECT_FALSE(p.AllowsOrigin("file://chorus.example"));
  EXPECT_FALSE(p.AllowsOrigin("https://chorus.example/path"));
  EXPECT_FALSE(p.AllowsOrigin("https://chorus.example@evil.example"));
}

TEST(OriginPolicy, AnOriginEqualToAForeignHostIsNotSameOrigin) {
  const auto p = Policy();
  EXPECT_FALSE(IsSameOrigin(Post("evil.example", "http://evil.example"), p));
  EXPECT_FALSE(IsSameOrigin(Post("127.0.0.1:8080", "http://evil.example"), p));
  EXPECT_TRUE(IsSameOrigin(Post("127.0.0.1:8080", "https://chorus.example"), p));
  EXPECT_TRUE(IsSameOrigin(Post("evil.example", ""), p));  // no Origin: not a browser
  auto cross = Post("chorus.example", "https://chorus.example");
  cross.set("Sec-Fetch-Site", "cross-site");
  EXPECT_FALSE(IsSameOrigin(cross, p));
}

TEST(OriginPolicy, CheckHostThrows421AndNeedsHostOnHttp11) {
  const auto p = Policy();
  try {
    CheckHost(Post("evil.example", ""), p);
    FAIL() << "no throw";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Status(), Status::misdirected_request);
    EXPECT_EQ(e.Code(), "host_not_allowed");
  }
  EXPECT_THROW(CheckHost(Post("", ""), p), ApiError);
  auto twice = Post("chorus.example", "");
  twice.insert(beast::http::field::host, "evil.example");
  EXPECT_THROW(CheckHost(twice, p), ApiError);
  Request old{Verb::get, "/", 10};
  EXPECT_NO_THROW(CheckHost(old, p));
  EXPECT_NO_THROW(CheckHost(Post("chorus.example", ""), p));
}

TEST(OriginPolicy, CheckCsrfRefusesCrossOriginThenNonJson) {
  const auto p = Policy();
  try {
    CheckCsrf(Post("chorus.example", "https://evil.example"), p);
    FAIL() << "no throw";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Status(), Status::forbidden);
  }
  auto form = Post("chorus.example", "https://chorus.example");
  form.set(beast::http::field::content_type, "application/x-www-form-urlencoded");
  try {
    CheckCsrf(form, p);
    FAIL() << "no throw";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Status(), Status::unsupported_media_type);
  }
  form.set("X-Requested-With", "fetch");
  EXPECT_NO_THROW(CheckCsrf(form, p));
}

}  // namespace
}  // namespace chorus::http
