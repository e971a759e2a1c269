// Row getters and the SQLite placeholder rewrite (no database server needed).
#include <gtest/gtest.h>

#include "store/DbError.hpp"
#include "store/Row.hpp"
#include "store/SqliteConnection.hpp"

namespace chorus::store {
namespace {

TEST(Row, GettersConvertExactlyAndRejectNull) {
  const Row row({Value{std::int64_t{42}}, Value{2.5}, Value{std::string("17")}, Value{},
                 Value{std::string("abc")}, Value{3.0}});
  EXPECT_EQ(row.Size(), 6u);
  EXPECT_EQ(row.Int(0), 42);
  EXPECT_EQ(row.Text(0), "42");
  EXPECT_DOUBLE_EQ(row.Real(0), 42.0);
  EXPECT_DOUBLE_EQ(row.Real(1), 2.5);
  EXPECT_THROW(row.Int(1), DbError);  // Not integral.
  EXPECT_EQ(row.Int(2), 17);          // Integer text (e.g. Postgres numeric).
  EXPECT_TRUE(row.IsNull(3));
  EXPECT_THROW(row.Int(3), DbError);
  EXPECT_THROW(row.Text(3), DbError);
  EXPECT_EQ(row.OptInt(3), std::nullopt);
  EXPECT_EQ(row.OptText(3), std::nullopt);
  EXPECT_EQ(row.OptInt(0), 42);
  EXPECT_THROW(row.Int(4), DbError);
  EXPECT_EQ(row.Int(5), 3);
  EXPECT_TRUE(row.Bool(0));
  EXPECT_THROW(row.At(6), DbError);
}

TEST(SqlitePlaceholders, RewritesOnlyOutsideQuotesAndComments) {
  EXPECT_EQ(SqliteConnection::RewritePlaceholders("SELECT $1, $12 FROM t WHERE a = $2"),
            "SELECT ?1, ?12 FROM t WHERE a = ?2");
  EXPECT_EQ(SqliteConnection::RewritePlaceholders("SELECT '$1', \"$2\", $3 -- $4\n, $5"),
            "SELECT '$1', \"$2\", ?3 -- $4\n, ?5");
  EXPECT_EQ(SqliteConnection::RewritePlaceholders("SELECT 'it''s $1', $1"),
            "SELECT 'it''s $1', ?1");
  EXPECT_EQ(SqliteConnection::RewritePlaceholders("SELECT '$1"), "SELECT '$1");  // Unclosed.
  EXPECT_EQ(SqliteConnection::RewritePlaceholders("SELECT $a, $"), "SELECT $a, $");
}

}  // namespace
}  // namespace chorus::store
