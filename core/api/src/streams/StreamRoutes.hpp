// /api/streams: list, read, create (admin), update (admin or the stream's host).
#pragma once

#include <boost/json/object.hpp>

#include "app/Services.hpp"
#include "http/Router.hpp"
#include "store/StreamRepository.hpp"

namespace chorus::streams {

void AddStreamRoutes(http::Router& router, app::Services& services);

// The JSON shape of a stream, with its voice channel's state.
boost::json::object StreamJson(const store::Stream& stream, std::int64_t voice_participants);

}  // namespace chorus::streams
