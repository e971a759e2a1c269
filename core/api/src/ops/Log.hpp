// Structured logs: JSON lines with a timestamp, level, component tag and key=value fields, to
// stdout and <log-dir>/chorusd-YYYY-MM-DD.log; the "voice" component also to voice-YYYY-MM-DD.log.
#pragma once

#include <spdlog/spdlog.h>
#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace chorus::ops {

// Creates the loggers. Call once at start, before other threads run.
void SetupLogging(const std::string& log_dir, const std::string& level);

// The logger for a component tag ("http", "db", "auth", "voice", "rtc", "redis", …).
std::shared_ptr<spdlog::logger> Logger(const std::string& component);

// Writes one JSON line: {"ts","level","component","msg", ...fields}.
void Log(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg,
         const boost::json::object& fields = {});

inline void Info(const std::string& component, std::string_view msg,
                 const boost::json::object& fields = {}) {
  Log(*Logger(component), spdlog::level::info, msg, fields);
}
inline void Warn(const std::string& component, std::string_view msg,
                 const boost::json::object& fields = {}) {
  Log(*Logger(component), spdlog::level::warn, msg, fields);
}
inline void Error(const std::string& component, std::string_view msg,
                  const boost::json::object& fields = {}) {
  Log(*Logger(component), spdlog::level::err, msg, fields);
}

}  // namespace chorus::ops
