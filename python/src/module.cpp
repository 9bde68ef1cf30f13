// PYBIND11_MODULE(_hashpivot): the exceptions and every area's bindings (bindings.hpp).

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <exception>
#include <thread>

#include "bindings.hpp"
#include "hashpivot/core/error.hpp"

namespace hashpivot::python {
namespace {

/// The Python exception classes, created once per process and never freed: the translator may
/// run until the interpreter is finalized.
struct ExceptionTypes {
  PyObject* input_error = nullptr;
  PyObject* parameter_error = nullptr;
};
ExceptionTypes& exception_types() {
  static ExceptionTypes types;
  return types;
}

constexpr const char* kInputErrorDoc =
    "Bad input: a scenario, history or calibration file, a store, or an argument. str() is the message "
    "the command line prints after 'error: ' (file:line: key: problem). Attributes: file (the file, "
    "'model parameter' or 'argument'), line (1-based, None when the problem is not on a line), key (the "
    "key, column or argument; None when none), problem (the message without the place).";
constexpr const char* kParameterErrorDoc =
    "A model parameter outside its domain (e.g. paths=0): an InputError whose file is 'model parameter' "
    "and whose key (also .parameter) is the parameter's name.";

void raise_input_error(const InputError& e) {
  const ExceptionTypes& types = exception_types();
  const bool parameter = dynamic_cast<const ParameterError*>(&e) != nullptr;
  PyObject* type = parameter ? types.parameter_error : types.input_error;
  py::object error = py::reinterpret_borrow<py::object>(type)(e.what());
  error.attr("file") = e.source();
  error.attr("line") = e.line() > 0 ? py::object(py::int_(e.line())) : py::object(py::none());
  error.attr("key") = e.field().empty() ? py::object(py::none()) : py::object(py::str(e.field()));
  error.attr("problem") = e.problem();
  if (parameter) error.attr("parameter") = e.field();
  PyErr_SetObject(type, error.ptr());
}

void bind_errors(py::module_& m) {
  ExceptionTypes& types = exception_types();
  types.input_error = PyErr_NewExceptionWithDoc("hashpivot.InputError", kInputErrorDoc, PyExc_ValueError, nullptr);
  types.parameter_error =
      PyErr_NewExceptionWithDoc("hashpivot.ParameterError", kParameterErrorDoc, types.input_error, nullptr);
  m.add_object("InputError", py::reinterpret_borrow<py::object>(types.input_error));
  m.add_object("ParameterError", py::reinterpret_borrow<py::object>(types.parameter_error));
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      raise_input_error(e);
    }
  });
}

}  // namespace

unsigned threads_or_all(std::optional<unsigned> threads) {
  return threads.value_or(std::max(1U, std::thread::hardware_concurrency()));
}

DayNumber day_argument(const py::handle& value, const std::string& name) {
  const std::string text = py::str(value);
  const std::optional<DayNumber> day = parse_date(text);
  if (!day) throw InputError("argument", 0, name, fmt::format("expected a date YYYY-MM-DD, got \"{}\"", text));
  return *day;
}

void check_signals() {
  const py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

Interruption::~Interruption() {
  if (type_ == nullptr) return;
  const py::gil_scoped_acquire gil;  // kept but never raised (the run failed otherwise): drop it
  Py_XDECREF(type_);
  Py_XDECREF(value_);
  Py_XDECREF(traceback_);
}

void Interruption::poll() {
  if (interrupted()) return;
  const py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() == 0) return;
  PyErr_Fetch(&type_, &value_, &traceback_);
  stop_.store(SIGINT);
}

void Interruption::raise_kept() {
  PyErr_Restore(type_, value_, traceback_);  // steals the references
  type_ = value_ = traceback_ = nullptr;
  throw py::error_already_set();
}

}  // namespace hashpivot::python

PYBIND11_MODULE(_hashpivot, m) {
  namespace hp = hashpivot::python;
  m.doc() = "hashpivot's engine (C++). Use the package `hashpivot`, which wraps these in pandas frames.";
  m.attr("__version__") = HASHPIVOT_VERSION;
  hp::bind_errors(m);
  hp::bind_scenario(m);
  hp::bind_run(m);
  hp::bind_store(m);
  hp::bind_studies(m);
  hp::bind_chain(m);
}
