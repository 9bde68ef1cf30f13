#pragma once
// Stopping a command cleanly on SIGINT (Ctrl-C) or SIGTERM: the signal only raises a flag, the
// command polls it at safe points (between blocks of paths, before it commits its outputs) and
// ends by throwing Cancelled, which leaves no record and no half-written file; main() turns it
// into exit code 128 + the signal (130 for SIGINT, 143 for SIGTERM).
//
// Why there is global state here: a signal handler cannot be handed a context, so the flag it
// sets and the count of code that listens for it are the two process-wide atomics in
// cancellation.cpp (lock-free, the only kind a handler may touch). Nothing else is global; code
// below the command line (the simulation) is handed the flag, it never reaches for it.

#include <atomic>
#include <csignal>
#include <stdexcept>
#include <string>

namespace hashpivot {

/// Thrown when the user asked the program to stop (SIGINT or SIGTERM) before the command's
/// outputs were committed: nothing was recorded or written.
class Cancelled : public std::runtime_error {
 public:
  explicit Cancelled(int signal_number);
  /// SIGINT or SIGTERM.
  [[nodiscard]] int signal_number() const { return signal_number_; }
  /// The conventional exit code of a program ended by that signal: 128 + the signal's number.
  [[nodiscard]] int exit_code() const;

 private:
  int signal_number_;
};

namespace cancellation {

/// Installs the SIGINT and SIGTERM handlers (call once, from main, before any thread starts).
/// While nothing listens (no Listening object is alive) a signal ends the process as it always
/// did; while something listens it only records the signal. Either way the handler is reset after
/// one signal, so a second Ctrl-C ends the process at once (the result store's journal undoes a
/// write it interrupts).
void install_handlers();

/// The signal that asked to stop, or 0. The simulation reads this flag between blocks of paths.
[[nodiscard]] const std::atomic<int>& stop_signal();

/// Throws Cancelled if a stop was asked for.
void throw_if_requested();

/// Clears the flag (tests only: one process may run several commands).
void reset_for_testing();

/// While alive, SIGINT and SIGTERM are recorded for the code to poll instead of ending the process.
class Listening {
 public:
  Listening();
  ~Listening();
  Listening(const Listening&) = delete;
  Listening& operator=(const Listening&) = delete;
};

/// While alive, SIGINT and SIGTERM are held back (blocked for the calling thread, which must be the
/// only one running) and delivered when it ends: for the few steps that must not be split, such
/// as renaming finished files into place and committing the store's transaction.
class Deferred {
 public:
  Deferred();
  ~Deferred();
  Deferred(const Deferred&) = delete;
  Deferred& operator=(const Deferred&) = delete;

 private:
  sigset_t previous_;
};

}  // namespace cancellation
}  // namespace hashpivot
