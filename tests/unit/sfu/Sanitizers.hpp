// Whether this test binary runs under a sanitizer (scripts/sanitize builds with
// -DCHORUS_SANITIZE=address|thread). Tests that replace the allocator or take away resources the
// sanitizer runtime itself needs skip under one.
#pragma once

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CHORUS_UNDER_SANITIZER 1
#endif
#endif
#ifndef CHORUS_UNDER_SANITIZER
#define CHORUS_UNDER_SANITIZER 0
#endif
