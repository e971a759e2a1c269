#include "store/PostgresConnection.hpp"

#include <pqxx/pqxx>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/DbError.hpp"

namespace chorus::store {
namespace {

// Type OIDs from the pg_type catalog (stable across Postgres versions).
constexpr pqxx::oid kBoolOid = 16;
constexpr pqxx::oid kInt8Oid = 20;
constexpr pqxx::oid kInt2Oid = 21;
constexpr pqxx::oid kInt4Oid = 23;
constexpr pqxx::oid kFloat4Oid = 700;
constexpr pqxx::oid kFloat8Oid = 701;
constexpr pqxx::oid kNumericOid = 1700;

Value FieldValue(const pqxx::field& f, pqxx::oid type) {
  if (f.is_null()) return Value{};
  const std::string_view text(f.c_str(), f.size());
  switch (type) {
    case kBoolOid:
      return Value{std::int64_t{text == "t" ? 1 : 0}};
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
      return Value{f.as<std::int64_t>()};
    case kFloat4Oid:
    case kFloat8Oid:
      return Value{f.as<double>()};
    case kNumericOid:  // SUM() of integers yields numeric; keep integers integral.
      if (text.find_first_of(".eEN") == std::string_view::npos) {
        return Value{f.as<std::int64_t>()};
      }
      return Value{f.as<double>()};
    default:
      return Value{std::string(text)};
  }
}

// Text form of one parameter; NULL is a null pointer (libpq's convention).
std::vector<std::string> ParamTexts(const std::vector<Value>& params) {
  std::vector<std::string> out;
  out.reserve(params.size());
  for (const Value& v : params) {
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      out.push_back(std::to_string(*n));
    } else if (const auto* d = std::get_if<double>(&v)) {
      out.push_back(fmt::format("{}", *d));  // Shortest text that round-trips.
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      out.push_back(*s);
    } else {
      out.emplace_back();
    }
  }
  return out;
}

}  // namespace

struct PostgresConnection::Handles {
  explicit Handles(const std::string& url) : conn(url) {}
  pqxx::connection conn;
  std::unique_ptr<pqxx::work> work;
};

PostgresConnection::PostgresConnection(std::string url) : url_(std::move(url)) {}

PostgresConnection::~PostgresConnection() = default;

PostgresConnection::Handles& PostgresConnection::Ensure() {
  if (handles_ && handles_->conn.is_open()) return *handles_;
  handles_.reset();
  try {
    handles_ = std::make_unique<Handles>(url_);
  } catch (const std::exception& e) {
    throw Unavailable(fmt::format("postgres: cannot connect: {}", e.what()));
  }
  return *handles_;
}

void PostgresConnection::Rethrow(std::string_view sql) {
  const std::string where(sql.substr(0, 200));
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    handles_.reset();  // Reconnect on next use.
    throw Unavailable(fmt::format("postgres: connection lost: {} in: {}", e.what(), where));
  } catch (const pqxx::in_doubt_error& e) {
    handles_.reset();
    throw Unavailable(fmt::format("postgres: commit in doubt: {} in: {}", e.what(), where));
  } catch (const pqxx::sql_error& e) {
    const std::string msg = fmt::format("postgres: {} in: {}", e.what(), where);
    if (e.sqlstate() == "23505") throw UniqueViolation(msg);
    // Class 08 = connection exception; 57P01..03 = server shutting down / cannot connect now.
    if (e.sqlstate().rfind("08", 0) == 0 || e.sqlstate().rfind("57P0", 0) == 0) {
      handles_.reset();
      throw Unavailable(msg);
    }
    throw DbError(msg);
  } catch (const DbError&) {
    throw;
  } catch (const std::exception& e) {
    // pqxx usage errors, conversion errors.
    throw DbError(fmt::format("postgres: {} in: {}", e.what(), where));
  }
}

Rows PostgresConnection::Exec(std::string_view sql, const std::vector<Value>& params) {
  const std::string query(sql);
  const std::vector<std::string> texts = ParamTexts(params);
  std::vector<const char*> pointers;
  pointers.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    pointers.push_back(std::holds_alternative<std::monostate>(params[i]) ? nullptr
                                                                         : texts[i].c_str());
  }
  try {
    Handles& h = Ensure();
    pqxx::result result;
    if (h.work) {
      result = h.work->exec_params(query, pqxx::prepare::make_dynamic_params(pointers));
    } else {
      pqxx::nontransaction tx(h.conn);
      result = tx.exec_params(query, pqxx::prepare::make_dynamic_params(pointers));
    }
    Rows rows;
    rows.reserve(result.size());
    const auto cols = result.columns();
    std::vector<pqxx::oid> types;
    for (pqxx::row::size_type c = 0; c < cols; ++c) types.push_back(result.column_type(c));
    for (const auto& r : result) {
      std::vector<Value> values;
      values.reserve(cols);
      for (pqxx::row::size_type c = 0; c < cols; ++c) values.push_back(FieldValue(r[c], types[c]));
      rows.emplace_back(std::move(values));
    }
    affected_rows_ = result.affected_rows();
    return rows;
  } catch (const Unavailable&) {
    throw;
  } catch (...) {
    Rethrow(sql);
  }
}

void PostgresConnection::BeginTransaction() {
  try {
    Handles& h = Ensure();
    h.work = std::make_unique<pqxx::work>(h.conn);
  } catch (const Unavailable&) {
    throw;
  } catch (...) {
    Rethrow("BEGIN");
  }
}

void PostgresConnection::CommitTransaction() {
  try {
    if (!handles_ || !handles_->work) throw Unavailable("postgres: connection lost before COMMIT");
    handles_->work->commit();
    handles_->work.reset();
  } catch (...) {
    Rethrow("COMMIT");
  }
}

void PostgresConnection::RollbackTransaction() noexcept {
  try {
    if (handles_ && handles_->work) handles_->work->abort();
  } catch (const std::exception& e) {
    spdlog::warn("db: postgres rollback failed: {}", e.what());
  }
  if (handles_) handles_->work.reset();
}

}  // namespace chorus::store
