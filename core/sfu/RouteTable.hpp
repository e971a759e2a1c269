// The process-wide map from an ICE ufrag or a remote address to the media worker that owns the
// participant. Changed only on the control plane (join, first check from a new address, removal);
// the packet path reads it only on a miss of the worker's own cache (first packet of an address).
// Thread affinity: thread-safe (shared mutex).
#pragma once

#include <cstddef>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rtc/TransportAddress.hpp"

namespace chorus::sfu {

class RouteTable {
 public:
  // Records/forgets that `ufrag` (our local ICE ufrag of a participant) lives on `worker`.
  void SetUfrag(const std::string& ufrag, std::size_t worker);
  void EraseUfrag(const std::string& ufrag);
  // Records/forgets that datagrams from `address` belong to a participant on `worker`.
  void SetAddress(const rtc::TransportAddress& address, std::size_t worker);
  void EraseAddress(const rtc::TransportAddress& address);

  // The owning worker, or nullopt.
  std::optional<std::size_t> FindUfrag(std::string_view ufrag) const;
  std::optional<std::size_t> FindAddress(const rtc::TransportAddress& address) const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::size_t> ufrags_;
  std::unordered_map<rtc::TransportAddress, std::size_t> addresses_;
};

}  // namespace chorus::sfu
