// The bootstrap admin setting follows the registration rules (checked before chorusd touches the
// database).
#include "app/Bootstrap.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace chorus::app {
namespace {

TEST(ParseBootstrapAdmin, EmptyMeansGenerate) {
  EXPECT_FALSE(ParseBootstrapAdmin(""));
}

TEST(ParseBootstrapAdmin, EightCharactersIsTheMinimum) {
  EXPECT_THROW(ParseBootstrapAdmin("admin:1234567"), std::invalid_argument);
  auto admin = ParseBootstrapAdmin("admin:12345678");
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->name, "admin");
  EXPECT_EQ(admin->password, "12345678");
  EXPECT_THROW(ParseBootstrapAdmin("admin:"), std::invalid_argument);
  EXPECT_THROW(ParseBootstrapAdmin("admin:" + std::string(129, 'x')), std::invalid_argument);
  EXPECT_TRUE(ParseBootstrapAdmin("admin:" + std::string(128, 'x')));
}

TEST(ParseBootstrapAdmin, ThePasswordMayHoldColons) {
  auto admin = ParseBootstrapAdmin("root:a:b:c:d:e");
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->name, "root");
  EXPECT_EQ(admin->password, "a:b:c:d:e");
}

TEST(ParseBootstrapAdmin, RefusalsNameTheSetting) {
  for (const char* bad :
       {"nopassword", ":12345678", "a:12345678", "bad name:12345678", "admin:short"}) {
    try {
      ParseBootstrapAdmin(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("CHORUS_BOOTSTRAP_ADMIN"), std::string::npos) << bad;
    }
  }
}

}  // namespace
}  // namespace chorus::app
