#include "room/RoomEvents.hpp"

namespace chorus::sfu {

const char* MutedByName(MutedBy by) {
  switch (by) {
    case MutedBy::kSelf:
      return "self";
    case MutedBy::kHost:
      return "host";
    case MutedBy::kNone:
      break;
  }
  return "";
}

const char* RemovalReasonName(RemovalReason reason) {
  switch (reason) {
    case RemovalReason::kLeft:
      return "left";
    case RemovalReason::kTimeout:
      return "timeout";
    case RemovalReason::kDtlsFailed:
      return "dtls_failed";
    case RemovalReason::kKicked:
      return "kicked";
    case RemovalReason::kReplaced:
      return "replaced";
    case RemovalReason::kClosed:
      return "closed";
  }
  return "left";
}

}  // namespace chorus::sfu
