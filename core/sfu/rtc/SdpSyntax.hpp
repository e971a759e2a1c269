// Character-level checks shared by the SDP profile validators and builders, so nothing taken from
// one description (mids, credentials, cnames) can inject lines into another.
// Thread affinity: none (pure functions).
#pragma once

#include <cstddef>
#include <string_view>

namespace chorus::rtc {

// RFC 8839 §5.4: ice-ufrag is 4..256 ice-chars (ALPHA / DIGIT / "+" / "/").
bool IsValidIceUfrag(std::string_view ufrag);
// RFC 8839 §5.4: ice-pwd is 22..256 ice-chars.
bool IsValidIcePwd(std::string_view pwd);
// RFC 8866 §9 token (the mid, msid and cname values we echo), 1..max_chars characters.
bool IsSdpToken(std::string_view text, std::size_t max_chars);
// RFC 8866 §9 m= line proto: token *("/" token), 1..max_chars characters.
bool IsSdpProtocol(std::string_view text, std::size_t max_chars);

}  // namespace chorus::rtc
