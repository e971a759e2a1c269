// GET /rtc: the media signaling WebSocket (docs/api.md "/rtc WebSocket"), and the SFU's metrics.
#pragma once

#include <memory>

#include "Sfu.hpp"
#include "app/Services.hpp"
#include "config/Config.hpp"
#include "http/Router.hpp"
#include "rtc/LiveMediaRegistry.hpp"

namespace chorus::voice {
class VoiceService;
}

namespace chorus::rtc_api {

// Builds the SfuConfig from the rtc settings (--rtc-udp-port, --rtc-bind, rtc.audio_slots,
// rtc.workers, rtc.consent_timeout, ICE-TCP) and the addresses config::PlanAnnounce chose.
sfu::SfuConfig MakeSfuConfig(const config::RtcSettings& settings,
                             std::vector<std::string> announce_ips);

// Registers GET /rtc and the chorus_sfu_* gauges. `voice`, `sfu` and `live` outlive the router.
void AddRtcRoutes(http::Router& router, app::Services& services, voice::VoiceService& voice,
                  sfu::Sfu& sfu, LiveMediaRegistry& live);

}  // namespace chorus::rtc_api
