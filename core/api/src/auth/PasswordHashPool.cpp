#include "auth/PasswordHashPool.hpp"

#include "auth/PasswordHasher.hpp"

namespace chorus::auth {
namespace {

// Lets a task out of the admission count when it ends, whether it returned or threw.
class Admitted {
 public:
  explicit Admitted(util::AdmissionLimit& limit) : limit_(limit) {}
  ~Admitted() { limit_.Leave(); }
  Admitted(const Admitted&) = delete;
  Admitted& operator=(const Admitted&) = delete;

 private:
  util::AdmissionLimit& limit_;
};

}  // namespace

PasswordHashPool::PasswordHashPool(std::size_t threads, std::size_t queue_max)
    : pool_(threads), admission_(threads + queue_max) {}

bool PasswordHashPool::Admit() {
  if (admission_.TryEnter()) return true;
  refused_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

boost::asio::awaitable<std::optional<std::string>> PasswordHashPool::TryHash(std::string password) {
  if (!Admit()) co_return std::nullopt;
  co_return co_await pool_.Run([this, password = std::move(password)] {
    Admitted admitted(admission_);
    return PasswordHasher::Hash(password);
  });
}

boost::asio::awaitable<std::optional<bool>> PasswordHashPool::TryVerify(std::string encoded,
                                                                        std::string password) {
  if (!Admit()) co_return std::nullopt;
  co_return co_await pool_.Run(
      [this, encoded = std::move(encoded), password = std::move(password)] {
        Admitted admitted(admission_);
        if (encoded.empty()) {
          PasswordHasher::Verify(PasswordHasher::DummyHash(), password);
          return false;
        }
        return PasswordHasher::Verify(encoded, password);
      });
}

}  // namespace chorus::auth
