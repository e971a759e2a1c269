// UserRepository and SessionRepository on both backends.
#include "StoreFixture.hpp"
#include "store/DbError.hpp"
#include "store/SessionRepository.hpp"

namespace chorus::store::testing {
namespace {

class UserSessionRepositoryTest : public StoreTest {};

TEST_P(UserSessionRepositoryTest, CreateAndFindUsers) {
  With([](Connection& c) {
    UserRepository users(c);
    EXPECT_EQ(users.Count(), 0);
    const User admin = users.Create("Root", "argon-hash", "admin", 1000);
    EXPECT_GT(admin.id, 0);
    EXPECT_EQ(admin.username, "Root");
    EXPECT_EQ(admin.created_at_ms, 1000);
    const User user = users.Create("bob", "h2", "user", 2000);
    EXPECT_NE(user.id, admin.id);

    const auto found = users.FindByUsername("ROOT");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, admin.id);
    EXPECT_EQ(found->username, "Root");
    EXPECT_EQ(found->password_hash, "argon-hash");
    EXPECT_EQ(found->role, "admin");
    EXPECT_EQ(users.FindById(user.id)->username, "bob");
    EXPECT_EQ(users.FindById(999999), std::nullopt);
    EXPECT_EQ(users.FindByUsername("nobody"), std::nullopt);
    EXPECT_EQ(users.Count(), 2);
    EXPECT_EQ(users.CountAdmins(), 1);

    EXPECT_TRUE(users.SetPasswordHash(user.id, "h3"));
    EXPECT_EQ(users.FindById(user.id)->password_hash, "h3");
    EXPECT_FALSE(users.SetPasswordHash(999999, "h"));
  });
}

TEST_P(UserSessionRepositoryTest, RoleOutsideTheSetIsRefused) {
  With([](Connection& c) {
    EXPECT_THROW(UserRepository(c).Create("eve", "h", "superuser", 1), DbError);
  });
}

TEST_P(UserSessionRepositoryTest, SessionValidUntilExpiry) {
  const User u = MakeUser("dana");
  With([&](Connection& c) {
    SessionRepository sessions(c);
    const Session s = sessions.Create("tokhash1", u.id, 1000, 5000, "127.0.0.1");
    EXPECT_GT(s.id, 0);
    EXPECT_EQ(s.user_id, u.id);
    EXPECT_EQ(s.created_at_ms, 1000);
    EXPECT_EQ(s.expires_at_ms, 5000);
    EXPECT_EQ(s.last_seen_at_ms, 1000);
    EXPECT_EQ(s.client_addr, "127.0.0.1");

    const auto valid = sessions.FindValid("tokhash1", 4999);
    ASSERT_TRUE(valid);
    EXPECT_EQ(valid->session.id, s.id);
    EXPECT_EQ(valid->user.id, u.id);
    EXPECT_EQ(valid->user.username, "dana");
    EXPECT_EQ(valid->user.role, "user");
    EXPECT_EQ(sessions.FindValid("tokhash1", 5000), std::nullopt);  // Expired at the instant.
    EXPECT_EQ(sessions.FindValid("other", 1000), std::nullopt);

    EXPECT_TRUE(sessions.Touch(s.id, 3000));
    EXPECT_EQ(sessions.FindValid("tokhash1", 3001)->session.last_seen_at_ms, 3000);
    EXPECT_FALSE(sessions.Touch(999999, 3000));

    EXPECT_THROW(sessions.Create("tokhash1", u.id, 1, 2, ""), UniqueViolation);
  });
}

TEST_P(UserSessionRepositoryTest, DeleteSessions) {
  const User a = MakeUser("erin");
  const User b = MakeUser("finn");
  With([&](Connection& c) {
    SessionRepository sessions(c);
    sessions.Create("a1", a.id, 0, 100, "");
    sessions.Create("a2", a.id, 0, 200, "");
    sessions.Create("b1", b.id, 0, 50, "");
    EXPECT_TRUE(sessions.Delete("a1"));
    EXPECT_FALSE(sessions.Delete("a1"));
    EXPECT_EQ(sessions.FindValid("a1", 1), std::nullopt);
    EXPECT_EQ(sessions.DeleteForUser(a.id), 1);
    EXPECT_EQ(sessions.FindValid("a2", 1), std::nullopt);
    EXPECT_TRUE(sessions.FindValid("b1", 1));
    EXPECT_EQ(sessions.DeleteExpired(50), 1);
    EXPECT_EQ(sessions.FindValid("b1", 1), std::nullopt);
  });
}

TEST_P(UserSessionRepositoryTest, SessionForUnknownUserViolatesForeignKey) {
  With([](Connection& c) {
    EXPECT_THROW(SessionRepository(c).Create("x", 424242, 0, 1, ""), DbError);
  });
}

TEST_P(UserSessionRepositoryTest, DeletingUserCascadesToSessions) {
  const User u = MakeUser("gail");
  With([&](Connection& c) {
    SessionRepository(c).Create("g1", u.id, 0, 100, "");
    c.Exec("DELETE FROM users WHERE id = $1", {u.id});
    EXPECT_EQ(c.Exec("SELECT COUNT(*) FROM sessions").at(0).Int(0), 0);
  });
}

CHORUS_STORE_BACKENDS(UserSessionRepositoryTest);

}  // namespace
}  // namespace chorus::store::testing
