// Runs blocking work (database, Redis, password hashing) on its own bounded thread pool, so I/O
// threads never block. A coroutine awaits the result and resumes on its own executor.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <type_traits>

namespace chorus::util {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads) : pool_(threads) {}
  ~BlockingPool() { Stop(); }

  // Runs fn() on the pool and completes with its result (default-constructible; `true` for a
  // void fn) on the awaiting coroutine's executor; exceptions propagate to the awaiting
  // coroutine.
  //
  // GCC 12 destroys class-type parameters of coroutines twice in some cases, and use_awaitable's
  // initiation is such a coroutine; so the task travels as a plain pointer and is owned again
  // only on the pool thread. A second GCC 12 bug (measured): a lambda that copies a `const`
  // local of class type (e.g. `const std::string hash`) inside a coroutine double-frees it; keep
  // such locals non-const.
  template <class F>
  auto Run(F fn) {
    using R = std::invoke_result_t<F&>;
    if constexpr (std::is_void_v<R>) {
      // A void task completes with `true`, so one initiation below serves both.
      return Run([f = std::move(fn)]() mutable {
        f();
        return true;
      });
    } else {
      F* task = new F(std::move(fn));
      return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>,
                                         void(std::exception_ptr, R)>(
          [this](auto handler, F* raw) {
            boost::asio::post(pool_, [handler = std::move(handler), raw]() mutable {
              std::unique_ptr<F> f(raw);
              std::exception_ptr error;
              R result{};
              try {
                result = (*f)();
              } catch (...) {
                error = std::current_exception();
              }
              auto ex = boost::asio::get_associated_executor(handler);
              boost::asio::dispatch(
                  ex, [handler = std::move(handler), error, result = std::move(result)]() mutable {
                    std::move(handler)(error, std::move(result));
                  });
            });
          },
          boost::asio::use_awaitable, task);
    }
  }

  void Stop() {
    pool_.stop();
    pool_.join();
  }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace chorus::util
