// VoiceRepository on both backends: rooms, memberships, kicks, settings, audit.
#include "StoreFixture.hpp"
#include "store/DbError.hpp"
#include "store/StreamRepository.hpp"
#include "store/VoiceRepository.hpp"

namespace chorus::store::testing {
namespace {

class VoiceRepositoryTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    host_ = MakeUser("host");
    alice_ = MakeUser("alice");
    With([&](Connection& c) {
      stream_ = StreamRepository(c).Create({"S", "", "", host_.id, true}, 1).id;
      other_stream_ = StreamRepository(c).Create({"S2", "", "", std::nullopt, true}, 1).id;
    });
  }

  User host_, alice_;
  std::int64_t stream_ = 0, other_stream_ = 0;
};

TEST_P(VoiceRepositoryTest, EnsureRoomCreatesOnceThenUpdate) {
  With([&](Connection& c) {
    VoiceRepository voice(c);
    EXPECT_EQ(voice.FindRoom(stream_), std::nullopt);
    const VoiceRoom r1 = voice.EnsureRoom(stream_, 8, host_.id, "room-1", 100);
    EXPECT_EQ(r1.stream_id, stream_);
    EXPECT_EQ(r1.max_speakers, 8);
    EXPECT_EQ(r1.host_id, host_.id);
    EXPECT_EQ(r1.sfu_room, "room-1");
    EXPECT_EQ(r1.created_at_ms, 100);
    const VoiceRoom r2 = voice.EnsureRoom(stream_, 3, std::nullopt, "other", 200);
    EXPECT_EQ(r2.max_speakers, 8);  // Existing room unchanged.
    EXPECT_EQ(r2.sfu_room, "room-1");
    EXPECT_EQ(r2.created_at_ms, 100);

    VoiceRoomPatch patch;
    patch.max_speakers = 4;
    patch.host_id = std::optional<std::int64_t>{};
    const auto r3 = voice.UpdateRoom(stream_, patch, 300);
    ASSERT_TRUE(r3);
    EXPECT_EQ(r3->max_speakers, 4);
    EXPECT_EQ(r3->host_id, std::nullopt);
    EXPECT_EQ(r3->sfu_room, "room-1");
    EXPECT_EQ(r3->updated_at_ms, 300);
    EXPECT_EQ(voice.UpdateRoom(other_stream_, patch, 300), std::nullopt);
    EXPECT_THROW(voice.EnsureRoom(999999, 8, std::nullopt, "x", 1), DbError);
  });
}

TEST_P(VoiceRepositoryTest, MembershipsOpenReuseAndClose) {
  With([&](Connection& c) {
    VoiceRepository voice(c);
    const VoiceMember m1 = voice.OpenMembership(stream_, alice_.id, "member", 100);
    EXPECT_EQ(m1.role, "member");
    EXPECT_EQ(m1.joined_at_ms, 100);
    EXPECT_EQ(m1.left_at_ms, std::nullopt);
    // A second open (reconnect) reuses the open row: same id, joined_at and role.
    const VoiceMember again = voice.OpenMembership(stream_, alice_.id, "moderator", 150);
    EXPECT_EQ(again.id, m1.id);
    EXPECT_EQ(again.joined_at_ms, 100);
    EXPECT_EQ(again.role, "member");
    const VoiceMember h = voice.OpenMembership(stream_, host_.id, "host", 120);
    voice.OpenMembership(other_stream_, alice_.id, "member", 130);

    auto open = voice.OpenMembers(stream_);
    ASSERT_EQ(open.size(), 2u);
    EXPECT_EQ(open[0].user_id, alice_.id);  // Earliest joined first.
    EXPECT_EQ(open[1].id, h.id);
    EXPECT_EQ(voice.CountOpenMembers(stream_), 2);

    EXPECT_TRUE(voice.SetMemberRole(stream_, alice_.id, "moderator"));
    EXPECT_EQ(voice.OpenMembers(stream_)[0].role, "moderator");

    EXPECT_TRUE(voice.CloseMembership(stream_, alice_.id, 200, "leave"));
    EXPECT_FALSE(voice.CloseMembership(stream_, alice_.id, 210, "leave"));  // Idempotent.
    EXPECT_FALSE(voice.SetMemberRole(stream_, alice_.id, "member"));
    open = voice.OpenMembers(stream_);
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].user_id, host_.id);

    const auto closed =
        c.Exec("SELECT left_at, left_reason FROM voice_members WHERE id = $1", {m1.id});
    EXPECT_EQ(closed.at(0).Int(0), 200);
    EXPECT_EQ(closed.at(0).Text(1), "leave");

    // Rejoining after leaving opens a new row.
    const VoiceMember m2 = voice.OpenMembership(stream_, alice_.id, "member", 300);
    EXPECT_NE(m2.id, m1.id);
    EXPECT_EQ(m2.joined_at_ms, 300);

    EXPECT_EQ(voice.CloseAllMemberships(stream_, 400, "room_closed"), 2);
    EXPECT_EQ(voice.CountOpenMembers(stream_), 0);
    EXPECT_EQ(voice.CountOpenMembers(other_stream_), 1);
    EXPECT_EQ(voice.CloseAllMemberships(std::nullopt, 500, "restart"), 1);
    EXPECT_EQ(voice.CountOpenMembers(other_stream_), 0);
    EXPECT_THROW(voice.OpenMembership(stream_, alice_.id, "boss", 600), DbError);
  });
}

TEST_P(VoiceRepositoryTest, KicksAreIdempotent) {
  With([&](Connection& c) {
    VoiceRepository voice(c);
    EXPECT_FALSE(voice.IsKicked(stream_, alice_.id));
    EXPECT_TRUE(voice.Kick(stream_, alice_.id, host_.id, 100));
    EXPECT_FALSE(voice.Kick(stream_, alice_.id, host_.id, 200));
    EXPECT_TRUE(voice.IsKicked(stream_, alice_.id));
    EXPECT_FALSE(voice.IsKicked(other_stream_, alice_.id));
    EXPECT_TRUE(voice.Unkick(stream_, alice_.id));
    EXPECT_FALSE(voice.Unkick(stream_, alice_.id));
    EXPECT_FALSE(voice.IsKicked(stream_, alice_.id));
  });
}

TEST_P(VoiceRepositoryTest, SettingsRoundTripAndOverride) {
  With([&](Connection& c) {
    VoiceRepository voice(c);
    EXPECT_EQ(voice.GetSettings(alice_.id), std::nullopt);
    EXPECT_EQ(voice.ResolveSettings(alice_.id, stream_), std::nullopt);

    VoiceSettings global;
    global.user_id = alice_.id;
    global.auto_join = true;
    global.mute_on_join = true;
    global.input_device_id = "default \"mic\" é";
    global.input_gain = 150;
    global.push_to_talk = true;
    global.ptt_key = "Space";
    global.noise_suppression = false;
    global.echo_cancellation = true;
    global.auto_gain_control = false;
    global.output_volume = 35;
    const VoiceSettings stored = voice.PutSettings(global, 1000);
    EXPECT_EQ(stored.updated_at_ms, 1000);
    const auto got = voice.GetSettings(alice_.id, 0);
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->auto_join);
    EXPECT_TRUE(got->mute_on_join);
    EXPECT_EQ(got->input_device_id, "default \"mic\" é");
    EXPECT_EQ(got->input_gain, 150);
    EXPECT_TRUE(got->push_to_talk);
    EXPECT_EQ(got->ptt_key, "Space");
    EXPECT_FALSE(got->noise_suppression);
    EXPECT_TRUE(got->echo_cancellation);
    EXPECT_FALSE(got->auto_gain_control);
    EXPECT_EQ(got->output_volume, 35);

    // Overwrite in place.
    global.output_volume = 80;
    global.auto_join = false;
    voice.PutSettings(global, 2000);
    EXPECT_EQ(voice.GetSettings(alice_.id)->output_volume, 80);
    EXPECT_FALSE(voice.GetSettings(alice_.id)->auto_join);
    EXPECT_EQ(voice.GetSettings(alice_.id)->updated_at_ms, 2000);

    // A per-stream override wins for that stream only.
    VoiceSettings override_settings = global;
    override_settings.stream_id = stream_;
    override_settings.output_volume = 10;
    voice.PutSettings(override_settings, 3000);
    EXPECT_EQ(voice.ResolveSettings(alice_.id, stream_)->output_volume, 10);
    EXPECT_EQ(voice.ResolveSettings(alice_.id, other_stream_)->output_volume, 80);
    EXPECT_EQ(voice.GetSettings(host_.id), std::nullopt);
    EXPECT_TRUE(voice.DeleteSettings(alice_.id, stream_));
    EXPECT_EQ(voice.ResolveSettings(alice_.id, stream_)->output_volume, 80);
  });
}

TEST_P(VoiceRepositoryTest, AuditAppendAndList) {
  With([&](Connection& c) {
    VoiceRepository voice(c);
    const auto id1 = voice.AppendAudit({0, 100, host_.id, "voice.kick", stream_, alice_.id, "{}"});
    const auto id2 = voice.AppendAudit({0, 200, alice_.id, "voice.join", other_stream_, {}, ""});
    const auto id3 =
        voice.AppendAudit({0, 300, std::nullopt, "server.start", std::nullopt, std::nullopt, "x"});
    EXPECT_LT(id1, id2);
    EXPECT_LT(id2, id3);

    const auto all = voice.ListAudit(10);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].id, id3);  // Newest first.
    EXPECT_EQ(all[0].actor_id, std::nullopt);
    EXPECT_EQ(all[0].stream_id, std::nullopt);
    EXPECT_EQ(all[2].action, "voice.kick");
    EXPECT_EQ(all[2].actor_id, host_.id);
    EXPECT_EQ(all[2].target_user_id, alice_.id);
    EXPECT_EQ(all[2].at_ms, 100);
    EXPECT_EQ(all[2].detail, "{}");

    EXPECT_EQ(voice.ListAudit(2).size(), 2u);
    const auto for_stream = voice.ListAudit(10, other_stream_);
    ASSERT_EQ(for_stream.size(), 1u);
    EXPECT_EQ(for_stream[0].id, id2);
  });
}

TEST_P(VoiceRepositoryTest, StageColumnsModeratorsKickListAndNamedAudit) {
  With([&](Connection& c) {
    VoiceRepository voice(c);
    const VoiceRoom fresh = voice.EnsureRoom(stream_, 0, host_.id, "room-1", 100);
    EXPECT_EQ(fresh.mode, "open");
    EXPECT_EQ(fresh.slow_mode_seconds, 0);
    EXPECT_TRUE(fresh.pinned.empty());
    VoiceRoomPatch patch;
    patch.mode = "stage";
    patch.slow_mode_seconds = 30;
    patch.pinned = std::vector<std::int64_t>{alice_.id, host_.id};
    voice.UpdateRoom(stream_, patch, 200);
    const auto room = voice.FindRoom(stream_);
    ASSERT_TRUE(room);
    EXPECT_EQ(room->mode, "stage");
    EXPECT_EQ(room->slow_mode_seconds, 30);
    EXPECT_EQ(room->pinned, (std::vector<std::int64_t>{alice_.id, host_.id}));

    EXPECT_FALSE(voice.IsModerator(stream_, alice_.id));
    EXPECT_TRUE(voice.AddModerator(stream_, alice_.id, host_.id, 300));
    EXPECT_FALSE(voice.AddModerator(stream_, alice_.id, host_.id, 400));
    EXPECT_TRUE(voice.IsModerator(stream_, alice_.id));
    EXPECT_FALSE(voice.IsModerator(other_stream_, alice_.id));
    const auto mods = voice.ListModerators(stream_);
    ASSERT_EQ(mods.size(), 1u);
    EXPECT_EQ(mods[0].username, "alice");
    EXPECT_EQ(mods[0].appointed_by, host_.id);
    EXPECT_EQ(mods[0].appointed_at_ms, 300);
    EXPECT_TRUE(voice.RemoveModerator(stream_, alice_.id));
    EXPECT_FALSE(voice.RemoveModerator(stream_, alice_.id));

    voice.Kick(stream_, alice_.id, host_.id, 500);
    const auto kicks = voice.ListKicks(stream_);
    ASSERT_EQ(kicks.size(), 1u);
    EXPECT_EQ(kicks[0].user_id, alice_.id);
    EXPECT_EQ(kicks[0].username, "alice");
    EXPECT_EQ(kicks[0].kicked_by, host_.id);
    EXPECT_EQ(kicks[0].kicked_at_ms, 500);
    EXPECT_TRUE(voice.ListKicks(other_stream_).empty());

    AuditEntry e;
    e.at_ms = 600;
    e.actor_id = host_.id;
    e.action = "voice.kick";
    e.stream_id = stream_;
    e.target_user_id = alice_.id;
    voice.AppendAudit(e);
    e.stream_id = other_stream_;
    voice.AppendAudit(e);
    const auto log = voice.ListAuditNamed(stream_, 10);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].actor_name, "host");
    EXPECT_EQ(log[0].target_name, "alice");
  });
}

CHORUS_STORE_BACKENDS(VoiceRepositoryTest);

}  // namespace
}  // namespace chorus::store::testing
