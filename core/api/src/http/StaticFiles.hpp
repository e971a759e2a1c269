// Serves files from a directory: the built GUI (with SPA fallback to index.html) or media.
// Hashed assets are cached immutably; index.html and playlists are revalidated every time.
// A GET answers with a file_body: the file is read a chunk at a time as the response is written,
// never whole into memory on an I/O thread.
#pragma once

#include <optional>
#include <string>

#include "http/Types.hpp"

namespace chorus::http {

class StaticFiles {
 public:
  // `spa_fallback`: unknown paths without a file extension get index.html (client-side routes).
  StaticFiles(std::string root, std::string url_prefix, bool spa_fallback);

  // Returns the response for a GET/HEAD of `path` under the prefix, or std::nullopt when no file
  // matches (the caller answers 404).
  std::optional<AnyResponse> Serve(const Request& req, std::string_view path) const;

 private:
  std::optional<AnyResponse> Open(const Request& req, const std::string& file,
                                  std::string_view rel) const;
  std::string root_;
  std::string prefix_;
  bool spa_fallback_;
};

}  // namespace chorus::http
