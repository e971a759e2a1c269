#include "store/Connection.hpp"

#include <exception>

namespace chorus::store {

void Connection::Transaction(const std::function<void()>& fn) {
  if (transaction_depth_ > 0) {
    ++transaction_depth_;
    try {
      fn();
    } catch (...) {
      --transaction_depth_;
      throw;
    }
    --transaction_depth_;
    return;
  }
  BeginTransaction();
  transaction_depth_ = 1;
  try {
    fn();
    CommitTransaction();
  } catch (...) {
    transaction_depth_ = 0;
    RollbackTransaction();
    throw;
  }
  transaction_depth_ = 0;
}

}  // namespace chorus::store
