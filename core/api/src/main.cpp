// chorusd entry point: read configuration, start the service, run until SIGINT/SIGTERM.
#include <exception>
#include <iostream>

#include "app/App.hpp"
#include "app/ConfigCheck.hpp"
#include "config/Config.hpp"
#include "config/MediaAddresses.hpp"
#include "ops/Log.hpp"

int main(int argc, char** argv) {
  int exit_code = -1;
  chorus::config::Config config = chorus::config::Load(argc, argv, exit_code);
  if (exit_code >= 0) return exit_code;
  if (config.check_only) {
    const auto announce = chorus::config::PlanAnnounce(config, chorus::config::ReadHostRoutes());
    return chorus::app::RunConfigCheck(config, announce, std::cout);
  }
  try {
    chorus::ops::SetupLogging(config.log_dir, config.log_level);
    chorus::app::App app(std::move(config));
    app.Start();
    app.Run();
  } catch (const std::exception& e) {
    std::cerr << "chorusd: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
