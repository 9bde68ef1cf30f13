#include "hashpivot/core/cancellation.hpp"

#include <fmt/format.h>
#include <pthread.h>

#include <array>
#include <cstring>

namespace hashpivot {
namespace {

// The two process-wide atomics a signal handler needs (see the header): which signal asked to
// stop, and how many scopes listen for it.
std::atomic<int> g_stop_signal{0};
std::atomic<int> g_listeners{0};
static_assert(std::atomic<int>::is_always_lock_free, "a signal handler may only touch lock-free atomics");

constexpr std::array kHandledSignals = {SIGINT, SIGTERM};
constexpr int kSignalExitBase = 128;  // the shell's exit status of a process ended by signal N is 128 + N

const char* signal_name(int signal_number) {
  if (signal_number == SIGINT) return "SIGINT";
  if (signal_number == SIGTERM) return "SIGTERM";
  return "a signal";
}

extern "C" void on_stop_signal(int signal_number) {
  // SA_RESETHAND has restored the default action: a second signal ends the process.
  g_stop_signal.store(signal_number);
  if (g_listeners.load() == 0) std::raise(signal_number);  // nobody polls: end as without a handler
}

sigset_t handled_set() {
  sigset_t set;
  sigemptyset(&set);
  for (const int s : kHandledSignals) sigaddset(&set, s);
  return set;
}

}  // namespace

Cancelled::Cancelled(int signal_number)
    : std::runtime_error(fmt::format("interrupted by {}: nothing was recorded or written", signal_name(signal_number))),
      signal_number_(signal_number) {}

int Cancelled::exit_code() const { return kSignalExitBase + signal_number_; }

namespace cancellation {

void install_handlers() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  // SA_RESTART: a system call the signal interrupts (a read, SQLite's I/O) resumes instead of failing.
  action.sa_flags = static_cast<int>(SA_RESTART | SA_RESETHAND);
  for (const int s : kHandledSignals) sigaction(s, &action, nullptr);
}

const std::atomic<int>& stop_signal() { return g_stop_signal; }

void throw_if_requested() {
  if (const int s = g_stop_signal.load(); s != 0) throw Cancelled(s);
}

void reset_for_testing() { g_stop_signal.store(0); }

Listening::Listening() { g_listeners.fetch_add(1); }

// A signal recorded while listening stays recorded: a command that already committed its outputs
// simply finishes (the work the user would lose is done).
Listening::~Listening() { g_listeners.fetch_sub(1); }

Deferred::Deferred() {
  const sigset_t set = handled_set();
  pthread_sigmask(SIG_BLOCK, &set, &previous_);
}

Deferred::~Deferred() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

}  // namespace cancellation
}  // namespace hashpivot
