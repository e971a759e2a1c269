#include "http/StaticFiles.hpp"

#include <filesystem>

namespace chorus::http {
namespace {

std::string_view MimeType(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot);
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".m3u8") return "application/vnd.apple.mpegurl";
  if (ext == ".ts") return "video/mp2t";
  if (ext == ".m4s" || ext == ".mp4") return "video/mp4";
  if (ext == ".wav") return "audio/wav";
  return "application/octet-stream";
}

// Rejects anything that could leave the root: "..", backslashes, percent escapes, NUL.
bool SafeRelativePath(std::string_view rel) {
  if (rel.find("..") != std::string_view::npos) return false;
  for (char c : rel) {
    if (c == '\\' || c == '%' || c == '\0') return false;
  }
  return true;
}

}  // namespace

StaticFiles::StaticFiles(std::string root, std::string url_prefix, bool spa_fallback)
    : root_(std::move(root)), prefix_(std::move(url_prefix)), spa_fallback_(spa_fallback) {}

std::optional<AnyResponse> StaticFiles::Serve(const Request& req, std::string_view path) const {
  if (path.substr(0, prefix_.size()) != prefix_) return std::nullopt;
  std::string_view rel = path.substr(prefix_.size());
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  if (!SafeRelativePath(rel)) return std::nullopt;
  if (rel.empty()) rel = "index.html";
  const std::string file = root_ + "/" + std::string(rel);
  std::error_code ec;
  if (std::filesystem::is_regular_file(file, ec)) return Open(req, file, rel);
  const bool looks_like_route = rel.find('.') == std::string_view::npos;
  if (spa_fallback_ && looks_like_route) {
    return Open(req, root_ + "/index.html", "index.html");
  }
  return std::nullopt;
}

namespace {

// Sets the headers both kinds of answer share: type, caching, keep-alive.
template <class Message>
void SetFileHeaders(Message& res, const Request& req, std::string_view rel) {
  res.set(beast::http::field::content_type, MimeType(rel));
  if (rel.substr(0, 7) == "assets/") {
    res.set(beast::http::field::cache_control, "public, max-age=31536000, immutable");
  } else if (rel.ends_with(".ts") || rel.ends_with(".m4s")) {
    res.set(beast::http::field::cache_control, "public, max-age=3600");
  } else {
    res.set(beast::http::field::cache_control, "no-cache");
  }
  res.keep_alive(req.keep_alive());
}

}  // namespace

std::optional<AnyResponse> StaticFiles::Open(const Request& req, const std::string& file,
                                             std::string_view rel) const {
  beast::http::file_body::value_type body;
  beast::error_code ec;
  body.open(file.c_str(), beast::file_mode::scan, ec);
  if (ec) return std::nullopt;
  if (req.method() == Verb::head) {
    // HEAD: the length of what GET would send, no body.
    Response res{Status::ok, req.version()};
    SetFileHeaders(res, req, rel);
    res.content_length(body.size());
    return res;
  }
  FileResponse res{Status::ok, req.version()};
  SetFileHeaders(res, req, rel);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

}  // namespace chorus::http
