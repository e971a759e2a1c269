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

void Bootstrap(store::Database& db, const config::Config& config) {
  db.With([&](store::Connection& c) {
    store::UserRepository users(c);
    std::int64_t admin_id = 0;
    if (users.CountAdmins() == 0) {
      std::string name = "admin";
      std::string password;
      const auto& spec = config.auth.bootstrap_admin;
      if (!spec.empty()) {
        const auto colon = spec.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 8 > spec.size()) {
          throw std::runtime_error(
              "CHORUS_BOOTSTRAP_ADMIN must be name:password with a password of 8+ characters");
        }
        name = spec.substr(0, colon);
        password = spec.substr(colon + 1);
        auth::ValidateUsername(name);
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
