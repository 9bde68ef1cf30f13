#pragma once
// The extension module hashpivot._hashpivot: thin bindings that hand the C++ results to the
// pure-Python package (python/hashpivot/), which shapes them into pandas frames. Each bind_*
// function adds one area's functions and classes to the module (module.cpp calls them all).
//
// Conventions: every call into the engine releases the GIL; results cross as dicts of columns
// (lists, in the engine's order) and the package builds the frames; dates cross as ISO strings
// ("YYYY-MM-DD", months "YYYY-MM"); hashpivot::InputError and ParameterError become the Python
// exceptions hashpivot.InputError and hashpivot.ParameterError (module.cpp).

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <optional>
#include <string>

#include "hashpivot/core/date.hpp"

namespace hashpivot::python {

namespace py = pybind11;

void bind_scenario(py::module_& m);
void bind_run(py::module_& m);
void bind_store(py::module_& m);
void bind_studies(py::module_& m);
void bind_chain(py::module_& m);

/// The worker threads of a call: `threads`, or every core when it is not given (as the command line).
[[nodiscard]] unsigned threads_or_all(std::optional<unsigned> threads);

/// A date argument given as "YYYY-MM-DD" (or anything whose str() is that, e.g. datetime.date);
/// throws InputError("argument", 0, name, …) otherwise.
[[nodiscard]] DayNumber day_argument(const py::handle& value, const std::string& name);

/// Raises KeyboardInterrupt (as py::error_already_set) when a signal handler asks for it; for
/// progress callbacks of long C++ calls that run with the GIL released (it takes the GIL to check),
/// called where no engine thread is running (between the runs of a study).
void check_signals();

/// Ctrl-C inside a simulation, which must not be left by an exception while its worker threads
/// run: poll() (from the progress callback, GIL released) takes the GIL and runs Python's signal
/// handlers; an exception they raise (KeyboardInterrupt) is kept and stop_signal() then holds
/// SIGINT, so the engine stops after the blocks in progress and throws Cancelled. raise_kept()
/// (GIL held) raises the kept exception in Python.
class Interruption {
 public:
  Interruption() = default;
  Interruption(const Interruption&) = delete;
  Interruption& operator=(const Interruption&) = delete;
  ~Interruption();

  void poll();
  [[nodiscard]] const std::atomic<int>* stop_signal() const { return &stop_; }
  [[nodiscard]] bool interrupted() const { return stop_.load() != 0; }
  /// Restores the kept exception as Python's current error and throws py::error_already_set.
  [[noreturn]] void raise_kept();

 private:
  std::atomic<int> stop_{0};
  PyObject* type_ = nullptr;  // owned references, from PyErr_Fetch
  PyObject* value_ = nullptr;
  PyObject* traceback_ = nullptr;
};

}  // namespace hashpivot::python
