// `chorusd --check`: validates the configuration without serving, prints what chorusd would
// announce and serve (listen address, public URL, TLS, media ports and announced addresses, TURN,
// storage) and every warning, then main exits. Nothing is bound, no database is opened.
#pragma once

#include <ostream>

#include "config/Config.hpp"
#include "config/MediaAddresses.hpp"

namespace chorus::app {

// Prints the report for `config` with the announced addresses of `announce` to `out`. Returns
// the exit code: 0 when chorusd would start, 2 when it would refuse (e.g. a TLS file it cannot
// load, a --trusted-proxies entry that is not a network).
int RunConfigCheck(const config::Config& config, const config::AnnouncePlan& announce,
                   std::ostream& out);

}  // namespace chorus::app
