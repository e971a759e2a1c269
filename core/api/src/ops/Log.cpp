#include "ops/Log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/daily_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <mutex>
#include <unordered_map>

namespace chorus::ops {
namespace {

constexpr const char* kPattern =
    R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","component":"%n",%v})";
// For libraries that log plain text through spdlog's default logger (the SFU, the store): the
// message becomes a JSON-escaped "msg" field (%*, see JsonMessageFlag).
constexpr const char* kPlainPattern =
    R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","component":"%n","msg":%*})";

// Writes the log message as a JSON string literal.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string text = boost::json::serialize(
        boost::json::value(std::string_view(msg.payload.data(), msg.payload.size())));
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

struct Registry {
  std::mutex mu;
  std::vector<spdlog::sink_ptr> common;
  spdlog::sink_ptr voice;
  spdlog::level::level_enum level = spdlog::level::info;
  std::unordered_map<std::string, std::shared_ptr<spdlog::logger>> loggers;
};

Registry& Reg() {
  static Registry r;
  return r;
}

}  // namespace

void SetupLogging(const std::string& log_dir, const std::string& level) {
  auto& r = Reg();
  std::lock_guard lock(r.mu);
  r.common.clear();
  r.loggers.clear();
  r.level = spdlog::level::from_str(level);
  r.common.push_back(std::make_shared<spdlog::sinks::stdout_sink_mt>());
  if (!log_dir.empty()) {
    std::filesystem::create_directories(log_dir);
    r.common.push_back(std::make_shared<spdlog::sinks::daily_file_format_sink_mt>(
        log_dir + "/chorusd-%Y-%m-%d.log", 0, 0));
    r.voice = std::make_shared<spdlog::sinks::daily_file_format_sink_mt>(
        log_dir + "/voice-%Y-%m-%d.log", 0, 0);
  }
  auto utc_format = [] {
    return std::make_unique<spdlog::pattern_formatter>(kPattern, spdlog::pattern_time_type::utc);
  };
  for (auto& s : r.common) s->set_formatter(utc_format());
  if (r.voice) r.voice->set_formatter(utc_format());

  // The default logger (used by code that logs plain text) writes to the same places as JSON.
  std::vector<spdlog::sink_ptr> plain_sinks{std::make_shared<spdlog::sinks::stdout_sink_mt>()};
  if (!log_dir.empty()) {
    plain_sinks.push_back(std::make_shared<spdlog::sinks::daily_file_format_sink_mt>(
        log_dir + "/chorusd-%Y-%m-%d.log", 0, 0));
  }
  for (auto& s : plain_sinks) {
    auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    f->add_flag<JsonMessageFlag>('*').set_pattern(kPlainPattern);
    s->set_formatter(std::move(f));
  }
  auto plain = std::make_shared<spdlog::logger>("chorusd", plain_sinks.begin(), plain_sinks.end());
  plain->set_level(r.level);
  plain->flush_on(spdlog::level::info);
  spdlog::set_default_logger(plain);
}

std::shared_ptr<spdlog::logger> Logger(const std::string& component) {
  auto& r = Reg();
  std::lock_guard lock(r.mu);
  auto& slot = r.loggers[component];
  if (!slot) {
    auto sinks = r.common;
    if (component == "voice" && r.voice) sinks.push_back(r.voice);
    slot = std::make_shared<spdlog::logger>(component, sinks.begin(), sinks.end());
    slot->set_level(r.level);
    slot->flush_on(spdlog::level::info);
  }
  return slot;
}

void Log(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg,
         const boost::json::object& fields) {
  if (!logger.should_log(level)) return;
  boost::json::object o;
  o["msg"] = msg;
  for (const auto& [k, v] : fields) o[k] = v;
  std::string text = boost::json::serialize(o);
  // Strip the outer braces: the pattern supplies them around the fixed fields.
  logger.log(level, "{}", std::string_view(text).substr(1, text.size() - 2));
}

}  // namespace chorus::ops
