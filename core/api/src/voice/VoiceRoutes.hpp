// The voice REST endpoints (/api/voice/…, /api/settings/voice) and the voice event stream (SSE).
#pragma once

#include "app/Services.hpp"
#include "http/Router.hpp"
#include "voice/VoiceService.hpp"

namespace chorus::voice {

// Registers the voice routes; `voice` and `services` outlive the router.
void AddVoiceRoutes(http::Router& router, app::Services& services, VoiceService& voice);

// The WebSocket URL of the media signaling endpoint for a request: the public URL's (or the
// request Host's) origin with ws/wss and path /rtc.
std::string SfuUrl(const config::Config& config, const http::Request& req);

}  // namespace chorus::voice
