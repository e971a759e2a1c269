// StreamRepository and KvRepository on both backends.
#include "StoreFixture.hpp"
#include "store/DbError.hpp"
#include "store/KvRepository.hpp"
#include "store/StreamRepository.hpp"

namespace chorus::store::testing {
namespace {

class StreamRepositoryTest : public StoreTest {};

TEST_P(StreamRepositoryTest, CreateListFind) {
  const User host = MakeUser("host");
  With([&](Connection& c) {
    StreamRepository streams(c);
    EXPECT_TRUE(streams.List().empty());
    const Stream a = streams.Create({"Demo", "desc", "/media/demo.m3u8", host.id, true}, 100);
    const Stream b = streams.Create({"Second", "", "", std::nullopt, false}, 200);
    EXPECT_EQ(a.title, "Demo");
    EXPECT_EQ(a.host_id, host.id);
    EXPECT_TRUE(a.voice_enabled);
    EXPECT_EQ(a.created_at_ms, 100);
    EXPECT_EQ(a.updated_at_ms, 100);
    EXPECT_EQ(b.host_id, std::nullopt);
    EXPECT_FALSE(b.voice_enabled);

    const auto all = streams.List();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, a.id);
    EXPECT_EQ(all[1].id, b.id);
    const auto found = streams.Find(a.id);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->description, "desc");
    EXPECT_EQ(found->hls_url, "/media/demo.m3u8");
    EXPECT_EQ(streams.Find(999999), std::nullopt);
  });
}

TEST_P(StreamRepositoryTest, PatchChangesOnlySetFields) {
  const User host = MakeUser("host");
  With([&](Connection& c) {
    StreamRepository streams(c);
    const Stream s = streams.Create({"T", "D", "U", host.id, false}, 100);

    StreamPatch title_only;
    title_only.title = "T2";
    const auto p1 = streams.Update(s.id, title_only, 200);
    ASSERT_TRUE(p1);
    EXPECT_EQ(p1->title, "T2");
    EXPECT_EQ(p1->description, "D");
    EXPECT_EQ(p1->hls_url, "U");
    EXPECT_EQ(p1->host_id, host.id);
    EXPECT_FALSE(p1->voice_enabled);
    EXPECT_EQ(p1->created_at_ms, 100);
    EXPECT_EQ(p1->updated_at_ms, 200);

    StreamPatch many;
    many.description = "";
    many.hls_url = "U2";
    many.host_id = std::optional<std::int64_t>{};  // Clear the host.
    many.voice_enabled = true;
    const auto p2 = streams.Update(s.id, many, 300);
    ASSERT_TRUE(p2);
    EXPECT_EQ(p2->title, "T2");
    EXPECT_EQ(p2->description, "");
    EXPECT_EQ(p2->hls_url, "U2");
    EXPECT_EQ(p2->host_id, std::nullopt);
    EXPECT_TRUE(p2->voice_enabled);
    EXPECT_EQ(streams.Find(s.id)->updated_at_ms, 300);

    EXPECT_EQ(streams.Update(999999, many, 400), std::nullopt);
    StreamPatch bad_host;
    bad_host.host_id = std::int64_t{999999};
    EXPECT_THROW(streams.Update(s.id, bad_host, 500), DbError);
    EXPECT_TRUE(streams.Delete(s.id));
    EXPECT_FALSE(streams.Delete(s.id));
  });
}

TEST_P(StreamRepositoryTest, KvGetPut) {
  With([](Connection& c) {
    KvRepository kv(c);
    EXPECT_EQ(kv.Get("secret"), std::nullopt);
    kv.Put("secret", "one");
    EXPECT_EQ(kv.Get("secret"), "one");
    kv.Put("secret", "two");
    EXPECT_EQ(kv.Get("secret"), "two");
    EXPECT_EQ(kv.PutIfAbsent("secret", "three"), "two");
    EXPECT_EQ(kv.PutIfAbsent("fresh", "four"), "four");
  });
}

CHORUS_STORE_BACKENDS(StreamRepositoryTest);

}  // namespace
}  // namespace chorus::store::testing
