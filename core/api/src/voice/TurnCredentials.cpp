#include "voice/TurnCredentials.hpp"

#include <boost/json/object.hpp>

#include "util/Crypto.hpp"

namespace chorus::voice {

TurnCredential MakeTurnCredential(const std::string& secret, std::int64_t user_id,
                                  std::int64_t now_s, std::chrono::seconds ttl) {
  TurnCredential c;
  c.username = std::to_string(now_s + ttl.count()) + ":" + std::to_string(user_id);
  c.credential = util::Base64Encode(util::HmacSha1(secret, c.username));
  return c;
}

boost::json::array TurnIceServers(const std::vector<std::string>& urls, const std::string& secret,
                                  std::int64_t user_id, std::int64_t now_s,
                                  std::chrono::seconds ttl) {
  boost::json::array out;
  if (urls.empty()) return out;
  const auto credential = MakeTurnCredential(secret, user_id, now_s, ttl);
  boost::json::array list;
  for (const auto& url : urls) list.emplace_back(url);
  out.push_back(boost::json::object{{"urls", std::move(list)},
                                    {"username", credential.username},
                                    {"credential", credential.credential}});
  return out;
}

}  // namespace chorus::voice
