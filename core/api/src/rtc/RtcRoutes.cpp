#include "rtc/RtcRoutes.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

#include "http/ApiError.hpp"
#include "http/OriginPolicy.hpp"
#include "rtc/RtcSession.hpp"

namespace chorus::rtc_api {

sfu::SfuConfig MakeSfuConfig(const config::RtcSettings& settings,
                             std::vector<std::string> announce_ips) {
  sfu::SfuConfig config;
  config.udp_port = static_cast<std::uint16_t>(settings.udp_port);
  config.bind = settings.bind;
  config.announce_ips = std::move(announce_ips);
  config.audio_slots = static_cast<std::size_t>(std::max(1, settings.audio_slots));
  config.workers = static_cast<std::size_t>(std::max(0, settings.workers));
  config.consent_timeout = settings.consent_timeout;
  if (settings.tcp_port > 0) config.tcp_port = static_cast<std::uint16_t>(settings.tcp_port);
  config.tcp_max_connections = static_cast<std::size_t>(std::max(0, settings.tcp_max_connections));
  config.tcp_idle_timeout = settings.tcp_idle_timeout;
  return config;
}

void AddRtcRoutes(http::Router& router, app::Services& services, voice::VoiceService& voice,
                  sfu::Sfu& sfu, LiveMediaRegistry& live) {
  const config::RtcSettings& settings = services.config.rtc;
  router.Add(
      http::Verb::get, "/rtc",
      [&voice, &sfu, &live, &settings](
          http::RequestContext& ctx) -> boost::asio::awaitable<std::optional<http::Response>> {
        if (!boost::beast::websocket::is_upgrade(ctx.request)) {
          throw http::ApiError(http::Status::upgrade_required, "upgrade_required",
                               "GET /rtc is a WebSocket endpoint");
        }
        // Browsers send Origin on every WebSocket upgrade and never apply CORS to it: the same
        // origin rule as CSRF keeps another site's page from driving a user's media session.
        if (ctx.origins && !http::IsSameOrigin(ctx.request, *ctx.origins)) {
          throw http::Forbidden("cross-origin WebSocket refused");
        }
        ctx.MarkLongLived();
        ctx.LimitSendBuffer();
        auto session = std::make_shared<RtcSession>(ctx.stream, voice, sfu, live, settings, ctx);
        co_await session->Run(ctx.request);
        co_return std::nullopt;
      });

  auto& metrics = services.metrics;
  const auto gauge = [&metrics, &sfu](const char* name, const char* help, auto field) {
    metrics.Gauge(name, help, [&sfu, field] { return static_cast<double>(field(sfu.Stats())); });
  };
  gauge("chorus_sfu_packets_in_total", "Datagrams received by the SFU",
        [](const sfu::SfuStats& s) { return s.packets_in; });
  gauge("chorus_sfu_packets_out_total", "Datagrams sent by the SFU",
        [](const sfu::SfuStats& s) { return s.packets_out; });
  gauge("chorus_sfu_forwarded_total", "RTP packets forwarded to subscriber slots",
        [](const sfu::SfuStats& s) { return s.forwarded; });
  gauge("chorus_sfu_dropped_malformed_total", "Datagrams dropped: not STUN/DTLS/RTP/RTCP",
        [](const sfu::SfuStats& s) { return s.dropped_malformed; });
  gauge("chorus_sfu_dropped_unknown_total", "Datagrams dropped: no participant",
        [](const sfu::SfuStats& s) { return s.dropped_unknown; });
  gauge("chorus_sfu_dropped_srtp_total", "Packets dropped: SRTP authentication or replay",
        [](const sfu::SfuStats& s) { return s.dropped_srtp; });
  gauge("chorus_sfu_dropped_muted_total", "Packets dropped: muted participant",
        [](const sfu::SfuStats& s) { return s.dropped_muted; });
  gauge("chorus_sfu_rooms", "Rooms on this SFU", [](const sfu::SfuStats& s) { return s.rooms; });
  gauge("chorus_sfu_participants", "Participants on this SFU",
        [](const sfu::SfuStats& s) { return s.participants; });
  gauge("chorus_sfu_tcp_connections", "ICE-TCP connections open",
        [](const sfu::SfuStats& s) { return s.tcp_connections; });
  gauge("chorus_sfu_tcp_accepted_total", "ICE-TCP connections accepted",
        [](const sfu::SfuStats& s) { return s.tcp_accepted; });
  gauge("chorus_sfu_tcp_refused_total", "ICE-TCP connections refused: connection limit",
        [](const sfu::SfuStats& s) { return s.tcp_refused; });
  gauge("chorus_sfu_tcp_closed_invalid_total",
        "ICE-TCP connections closed: no valid check in time, bad first frame, oversize frame",
        [](const sfu::SfuStats& s) { return s.tcp_closed_unbound + s.tcp_closed_oversize; });
  gauge("chorus_sfu_tcp_closed_idle_total", "ICE-TCP connections closed: ICE checks stopped",
        [](const sfu::SfuStats& s) { return s.tcp_closed_idle; });
  gauge("chorus_sfu_tcp_frames_in_total", "RFC 4571 frames received over ICE-TCP",
        [](const sfu::SfuStats& s) { return s.tcp_frames_in; });
  gauge("chorus_sfu_tcp_frames_out_total", "RFC 4571 frames queued on ICE-TCP connections",
        [](const sfu::SfuStats& s) { return s.tcp_frames_out; });
  gauge("chorus_sfu_tcp_send_dropped_total", "Frames dropped: ICE-TCP send buffer full or closed",
        [](const sfu::SfuStats& s) { return s.tcp_send_dropped; });
}

}  // namespace chorus::rtc_api
