// Connection, transactions, errors and migrations on both backends.
#include <stdexcept>
#include <thread>

#include "StoreFixture.hpp"
#include "store/DbError.hpp"
#include "store/KvRepository.hpp"
#include "store/Migrator.hpp"

namespace chorus::store::testing {
namespace {

class ConnectionTest : public StoreTest {};

TEST_P(ConnectionTest, MigrationsApplyOnceAndAreIdempotent) {
  EXPECT_EQ(migrations_applied_in_setup_, 3);
  EXPECT_EQ(Db().Migrate(), 0);
  EXPECT_EQ(Db().Migrate(), 0);
  EXPECT_EQ(Db().With([](Connection& c) { return SchemaVersion(c); }), 3);
  const auto versions = Db().With([](Connection& c) {
    return c.Exec("SELECT version, applied_at FROM schema_migrations ORDER BY version");
  });
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].Int(0), 1);
  EXPECT_EQ(versions[1].Int(0), 2);
  EXPECT_EQ(versions[2].Int(0), 3);
  EXPECT_GT(versions[2].Int(1), 0);
}

TEST_P(ConnectionTest, ExecRoundTripsEveryValueType) {
  const Rows rows = Db().With([](Connection& c) {
    return c.Exec(
        "SELECT CAST($1 AS BIGINT), CAST($2 AS DOUBLE PRECISION), CAST($3 AS TEXT), "
        "CAST($4 AS TEXT), CAST($5 AS BIGINT)",
        {std::int64_t{-9007199254740993}, 0.1, std::string("it's \"q\" $1 ünï"), Value{},
         BoolValue(true)});
  });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Int(0), -9007199254740993);
  EXPECT_DOUBLE_EQ(rows[0].Real(1), 0.1);
  EXPECT_EQ(rows[0].Text(2), "it's \"q\" $1 ünï");
  EXPECT_TRUE(rows[0].IsNull(3));
  EXPECT_EQ(rows[0].OptText(3), std::nullopt);
  EXPECT_TRUE(rows[0].Bool(4));
  EXPECT_THROW(rows[0].Int(3), DbError);
}

TEST_P(ConnectionTest, AffectedRowsCountsChangedRows) {
  With([](Connection& c) {
    KvRepository kv(c);
    kv.Put("a", "1");
    kv.Put("b", "2");
    c.Exec("UPDATE kv SET value = 'x'");
    EXPECT_EQ(c.AffectedRows(), 2);
    c.Exec("DELETE FROM kv WHERE key = $1", {std::string("nope")});
    EXPECT_EQ(c.AffectedRows(), 0);
  });
}

TEST_P(ConnectionTest, DuplicateUsernameIsUniqueViolationInAnyCase) {
  MakeUser("Alice");
  EXPECT_THROW(MakeUser("Alice"), UniqueViolation);
  EXPECT_THROW(MakeUser("aLICE"), UniqueViolation);
  EXPECT_NO_THROW(MakeUser("alice2"));
}

TEST_P(ConnectionTest, BadSqlIsDbErrorNotUniqueViolation) {
  With([](Connection& c) {
    try {
      c.Exec("SELECT no_such_column FROM users");
      FAIL() << "expected DbError";
    } catch (const UniqueViolation&) {
      FAIL() << "wrong error type";
    } catch (const Unavailable&) {
      FAIL() << "wrong error type";
    } catch (const DbError&) {
    }
    EXPECT_THROW(c.Exec("SELECT 1; SELECT 2"), DbError);  // One statement per Exec.
    EXPECT_EQ(c.Exec("SELECT 1;").size(), 1u);
    // The connection stays usable after an error.
    EXPECT_EQ(c.Exec("SELECT 1").size(), 1u);
  });
}

TEST_P(ConnectionTest, TransactionRollsBackAndRethrows) {
  With([](Connection& c) {
    EXPECT_THROW(c.Transaction([&] {
      UserRepository(c).Create("bob", "h", "user", 1);
      EXPECT_TRUE(c.InTransaction());
      throw std::runtime_error("boom");
    }),
                 std::runtime_error);
    EXPECT_FALSE(c.InTransaction());
    EXPECT_EQ(UserRepository(c).Count(), 0);
  });
}

TEST_P(ConnectionTest, FailedStatementRollsBackWholeTransaction) {
  MakeUser("carol");
  With([](Connection& c) {
    EXPECT_THROW(c.Transaction([&] {
      KvRepository(c).Put("k", "v");
      UserRepository(c).Create("CAROL", "h", "user", 1);  // Unique violation.
    }),
                 UniqueViolation);
    EXPECT_EQ(KvRepository(c).Get("k"), std::nullopt);
  });
}

TEST_P(ConnectionTest, NestedTransactionJoinsOuterOne) {
  With([](Connection& c) {
    EXPECT_THROW(c.Transaction([&] {
      c.Transaction([&] { KvRepository(c).Put("inner", "1"); });
      throw std::runtime_error("outer fails");
    }),
                 std::runtime_error);
    EXPECT_EQ(KvRepository(c).Get("inner"), std::nullopt);
  });
}

TEST_P(ConnectionTest, CommittedTransactionIsVisibleToOtherConnections) {
  // Hold one connection while a second one reads, so they are distinct.
  With([&](Connection& writer) {
    writer.Transaction([&] { KvRepository(writer).Put("shared", "yes"); });
    With([](Connection& reader) { EXPECT_EQ(KvRepository(reader).Get("shared"), "yes"); });
  });
}

TEST_P(ConnectionTest, SecondPoolSeesMigratedSchema) {
  auto other = Database::Open(Url(), 2);
  EXPECT_EQ(other->Backend(), GetParam());
  EXPECT_EQ(other->Migrate(), 0);
  EXPECT_TRUE(other->Ping());
}

TEST_P(ConnectionTest, FailedMigrationLeavesNoPartialHistory) {
  // Forget the history while the tables stay, so re-running version 1 fails on CREATE TABLE.
  With([](Connection& c) { c.Exec("DROP TABLE schema_migrations"); });
  // The whole run must roll back: no history rows recorded.
  EXPECT_THROW(Db().Migrate(), DbError);
  EXPECT_EQ(Db().With([](Connection& c) { return SchemaVersion(c); }), 0);
  // The existing tables are untouched.
  EXPECT_NO_THROW(MakeUser("still-works"));
}

TEST_P(ConnectionTest, LostPostgresConnectionReconnectsOnNextUse) {
  if (!IsPostgres()) GTEST_SKIP() << "Postgres only";
  With([&](Connection& victim) {
    const std::int64_t pid = victim.Exec("SELECT pg_backend_pid()").at(0).Int(0);
    With([&](Connection& killer) {
      EXPECT_TRUE(killer.Exec("SELECT pg_terminate_backend($1)", {pid}).at(0).Bool(0));
    });
    EXPECT_THROW(victim.Exec("SELECT 1"), Unavailable);
    const std::int64_t new_pid = victim.Exec("SELECT pg_backend_pid()").at(0).Int(0);
    EXPECT_NE(new_pid, pid);
  });
  EXPECT_TRUE(Db().Ping());
}

CHORUS_STORE_BACKENDS(ConnectionTest);

class FreshDatabaseTest : public StoreTest {
 protected:
  FreshDatabaseTest() { migrate_in_setup_ = false; }
};

TEST_P(FreshDatabaseTest, ConcurrentMigratorsApplyEachVersionOnce) {
  EXPECT_EQ(Db().With([](Connection& c) { return SchemaVersion(c); }), 0);
  constexpr int kMigrators = 4;
  std::vector<int> applied(kMigrators, -1);
  std::vector<std::string> errors(kMigrators);
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] {
      try {
        applied[i] = Database::Open(Url(), 1)->Migrate();  // As separate processes would.
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  int total = 0;
  for (int i = 0; i < kMigrators; ++i) {
    EXPECT_EQ(errors[i], "");
    total += applied[i];
  }
  EXPECT_EQ(total, 3);
  EXPECT_EQ(Db().With([](Connection& c) { return SchemaVersion(c); }), 3);
}

CHORUS_STORE_BACKENDS(FreshDatabaseTest);

TEST(DatabaseOpen, RejectsUnknownSchemeAndBadPoolSize) {
  EXPECT_THROW(Database::Open("mysql://x", 1), DbError);
  EXPECT_THROW(Database::Open("sqlite::memory:", 0), DbError);
}

TEST(DatabaseOpen, UnopenableSqlitePathIsUnavailable) {
  EXPECT_THROW(Database::Open("sqlite:/nonexistent-dir-chorus/x/db.sqlite", 1), Unavailable);
}

TEST(DatabaseOpen, UnreachablePostgresIsUnavailableAndPingFalse) {
  // Port 1 on loopback: nothing listens there, so the connect is refused at once.
  auto db = Database::Open("postgres://postgres@127.0.0.1:1/chorus?connect_timeout=2", 1);
  EXPECT_EQ(db->Backend(), "postgres");
  EXPECT_THROW(db->WithConnection([](Connection& c) { c.Exec("SELECT 1"); }), Unavailable);
  EXPECT_FALSE(db->Ping());
  EXPECT_EQ(db->Stats().in_use, 0);
}

TEST(DatabaseOpen, InMemorySqliteUsesOneSlot) {
  auto db = Database::Open("sqlite::memory:", 8);
  EXPECT_EQ(db->Stats().size, 1);
  EXPECT_EQ(db->Migrate(), 3);
}

}  // namespace
}  // namespace chorus::store::testing
