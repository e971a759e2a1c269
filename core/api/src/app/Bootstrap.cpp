#include "app/Bootstrap.hpp"

#include <iostream>
#include <stdexcept>

#include "auth/AuthRoutes.hpp"
#include "auth/PasswordHasher.hpp"
#include "ops/Log.hpp"
#include "store/StreamRepository.hpp"
#include "store/UserRepository.hpp"
#include "util/Crypto.hpp"
#include "util/Time.hpp"

namespace chorus::app {

std::optional<BootstrapAdmin> ParseBootstrapAdmin(const std::string& spec) {
  if (spec.empty()) return std::nullopt;
  const auto colon = spec.find(':');
  if (colon == std::string::npos || colon == 0) {
    throw std::invalid_argument("CHORUS_BOOTSTRAP_ADMIN (--bootstrap-admin) must be name:password");
  }
  BootstrapAdmin admin{spec.substr(0, colon), spec.substr(colon + 1)};
  try {
    auth::ValidateUsername(admin.name);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("CHORUS_BOOTSTRAP_ADMIN (--bootstrap-admin): ") +
                                e.what());
  }
  if (admin.password.size() < auth::kMinPasswordBytes ||
      admin.password.size() > auth::kMaxPasswordBytes) {
    throw std::invalid_argument(
        "CHORUS_BOOTSTRAP_ADMIN (--bootstrap-admin): the password must be 8–128 characters (got " +
        std::to_string(admin.password.size()) + ")");
  }
  return admin;
}

void Bootstrap(store::Database& db, const config::Config& config) {
  db.With([&](store::Connection& c) {
    store::UserRepository users(c);
    std::int64_t admin_id = 0;
    if (users.CountAdmins() == 0) {
      std::string name = "admin";
      std::string password;
      const auto& spec = config.auth.bootstrap_admin;
      if (auto parsed = ParseBootstrapAdmin(spec)) {
        name = std::move(parsed->name);
        password = std::move(parsed->password);
      } else {
        password = util::RandomToken(12);
      }
      const auto admin =
          users.Create(name, auth::PasswordHasher::Hash(password), "admin", util::NowMs());
      admin_id = admin.id;
      ops::Info("auth", "bootstrap admin created", {{"user_id", admin.id}, {"username", name}});
      if (spec.empty()) {
        std::cout << "\n  Chorus admin account created: " << name << " / " << password
                  << "\n  (shown once; set CHORUS_BOOTSTRAP_ADMIN=name:password to choose)\n\n"
                  << std::flush;
      }
    }
    store::StreamRepository streams(c);
    if (config.demo_stream && streams.List().empty()) {
      if (admin_id == 0) {
        if (auto a = users.FindByUsername("admin")) admin_id = a->id;
      }
      store::StreamInput demo;
      demo.title = "Demo stream";
      demo.description = "A looping test pattern with a tone. Open the Voice tab to talk.";
      demo.hls_url = "/media/demo/index.m3u8";
      demo.voice_enabled = true;
      if (admin_id) demo.host_id = admin_id;
      const auto s = streams.Create(demo, util::NowMs());
      ops::Info("http", "demo stream created", {{"stream_id", s.id}});
    }
  });
}

}  // namespace chorus::app
