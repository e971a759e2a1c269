#include "RouteTable.hpp"

#include <mutex>

namespace chorus::sfu {

void RouteTable::SetUfrag(const std::string& ufrag, std::size_t worker) {
  std::unique_lock lock(mu_);
  ufrags_[ufrag] = worker;
}

void RouteTable::EraseUfrag(const std::string& ufrag) {
  std::unique_lock lock(mu_);
  ufrags_.erase(ufrag);
}

void RouteTable::SetAddress(const rtc::TransportAddress& address, std::size_t worker) {
  std::unique_lock lock(mu_);
  addresses_[address] = worker;
}

void RouteTable::EraseAddress(const rtc::TransportAddress& address) {
  std::unique_lock lock(mu_);
  addresses_.erase(address);
}

std::optional<std::size_t> RouteTable::FindUfrag(std::string_view ufrag) const {
  std::shared_lock lock(mu_);
  // Heterogeneous lookup needs a transparent hash; ufrags are short, a temporary is fine here
  // (this path runs only on a cache miss).
  const auto it = ufrags_.find(std::string(ufrag));
  if (it == ufrags_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::size_t> RouteTable::FindAddress(const rtc::TransportAddress& address) const {
  std::shared_lock lock(mu_);
  const auto it = addresses_.find(address);
  if (it == addresses_.end()) return std::nullopt;
  return it->second;
}

}  // namespace chorus::sfu
