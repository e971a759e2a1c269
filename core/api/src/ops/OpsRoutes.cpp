#include "ops/OpsRoutes.hpp"

#include <boost/json.hpp>

namespace chorus::ops {

void AddOpsRoutes(http::Router& router, app::Services& s, std::function<bool()> state_ready) {
  router.Add(http::Verb::get, "/healthz",
             [](http::RequestContext& ctx) -> http::asio::awaitable<std::optional<http::Response>> {
               co_return http::JsonResponse(ctx.request, http::Status::ok,
                                            boost::json::object{{"status", "ok"}});
             });
  router.Add(http::Verb::get, "/readyz",
             [&s, state_ready](http::RequestContext& ctx)
                 -> http::asio::awaitable<std::optional<http::Response>> {
               const bool db_ok = co_await s.blocking.Run([&s] { return s.db.Ping(); });
               const bool state_ok = state_ready();
               const bool ready = db_ok && state_ok;
               co_return http::JsonResponse(
                   ctx.request, ready ? http::Status::ok : http::Status::service_unavailable,
                   boost::json::object{{"status", ready ? "ready" : "unavailable"},
                                       {"database", db_ok ? "ok" : "unavailable"},
                                       {"state", state_ok ? "ok" : "unavailable"}});
             });
  router.Add(
      http::Verb::get, "/metrics",
      [&s](http::RequestContext& ctx) -> http::asio::awaitable<std::optional<http::Response>> {
        http::Response res{http::Status::ok, ctx.request.version()};
        res.set(http::beast::http::field::content_type, "text/plain; version=0.0.4");
        res.keep_alive(ctx.request.keep_alive());
        res.body() = s.metrics.Render();
        res.prepare_payload();
        co_return res;
      });
}

}  // namespace chorus::ops
