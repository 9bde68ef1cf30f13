// The scenario document (scenario_document.hpp) as the class _hashpivot.ScenarioDocument: paths
// are lists of keys (str) and 0-based indices (int); values cross as TOML text one way (the
// package writes it) and as Python values the other.

#include <fmt/format.h>

#include <memory>
#include <sstream>
#include <string>

#include "bindings.hpp"
#include "scenario_document.hpp"

namespace hashpivot::python {
namespace {

DocumentPath to_path(const py::list& items) {
  DocumentPath path;
  for (const py::handle item : items) {
    if (py::isinstance<py::str>(item)) path.emplace_back(item.cast<std::string>());
    else path.emplace_back(item.cast<std::size_t>());
  }
  return path;
}

py::object to_python(const toml::node& node);

py::object date_object(const toml::date& d) {
  return py::module_::import("datetime").attr("date")(d.year, d.month, d.day);
}

py::object to_python(const toml::node& node) {
  if (const auto* table = node.as_table()) {
    py::dict out;
    for (const auto& [key, value] : *table) out[py::str(std::string(key.str()))] = to_python(value);
    return out;
  }
  if (const auto* array = node.as_array()) {
    py::list out;
    for (const toml::node& element : *array) out.append(to_python(element));
    return out;
  }
  if (const auto v = node.value_exact<bool>()) return py::bool_(*v);
  if (const auto v = node.value_exact<std::int64_t>()) return py::int_(*v);
  if (const auto v = node.value_exact<double>()) return py::float_(*v);
  if (const auto v = node.value_exact<std::string>()) return py::str(*v);
  if (const auto v = node.value_exact<toml::date>()) return date_object(*v);
  // Times and date-times (a scenario has none): their TOML text.
  std::ostringstream text;
  text << toml::toml_formatter{node};
  return py::str(text.str());
}

/// "table", "array_of_tables" (an array whose elements are all tables), "array", "value", or None.
py::object kind_of(const toml::node* node) {
  if (node == nullptr) return py::none();
  if (node->is_table()) return py::str("table");
  if (const auto* array = node->as_array()) {
    if (!array->empty() && array->is_array_of_tables()) return py::str("array_of_tables");
    return py::str("array");
  }
  return py::str("value");
}

const toml::node& require(const ScenarioDocument& doc, const py::list& path) {
  const toml::node* node = doc.find(to_path(path));
  if (node == nullptr) throw py::key_error(describe_path(to_path(path)));
  return *node;
}

}  // namespace

void bind_scenario(py::module_& m) {
  using Doc = ScenarioDocument;
  py::class_<Doc, std::shared_ptr<Doc>>(m, "ScenarioDocument",
                                        "A scenario's TOML text, edited value by value and validated after every edit "
                                        "as the command line validates a file.")
      .def_static(
          "from_file", [](const std::string& path) { return std::make_shared<Doc>(Doc::from_file(path)); },
          py::arg("path"))
      .def_static(
          "from_text",
          [](std::string text, std::string source) {
            return std::make_shared<Doc>(Doc::from_text(std::move(text), std::move(source)));
          },
          py::arg("text"), py::arg("source"))
      .def("copy", [](const Doc& d) { return std::make_shared<Doc>(d); })
      .def_property_readonly("text", &Doc::text)
      .def_property_readonly("source", &Doc::source)
      .def_property_readonly("in_batch", &Doc::in_batch)
      .def_property_readonly("warnings",
                             [](const Doc& d) {
                               py::list messages;
                               for (const InputWarning& w : d.warnings()) messages.append(w.message());
                               return messages;
                             })
      .def_property_readonly("name", [](const Doc& d) { return d.scenario().run.name; })
      .def_property_readonly("strategy_names",
                             [](const Doc& d) {
                               py::list names;
                               for (const auto& s : d.scenario().strategies) names.append(s.name);
                               return names;
                             })
      .def("kind", [](const Doc& d, const py::list& path) { return kind_of(d.find(to_path(path))); }, py::arg("path"))
      .def("get", [](const Doc& d, const py::list& path) { return to_python(require(d, path)); }, py::arg("path"))
      .def(
          "keys",
          [](const Doc& d, const py::list& path) {
            const toml::table* table = require(d, path).as_table();
            if (table == nullptr) throw py::type_error(fmt::format("{} is not a table", describe_path(to_path(path))));
            py::list keys;
            for (const auto& [key, value] : *table) keys.append(std::string(key.str()));
            return keys;
          },
          py::arg("path"))
      .def(
          "length",
          [](const Doc& d, const py::list& path) {
            const toml::array* array = require(d, path).as_array();
            if (array == nullptr) throw py::type_error(fmt::format("{} is not an array", describe_path(to_path(path))));
            return array->size();
          },
          py::arg("path"))
      .def("line", [](const Doc& d, const py::list& path) { return require(d, path).source().begin.line; },
           py::arg("path"), "The 1-based line where the node begins in the text.")
      .def("set_text", [](Doc& d, std::string text) { d.set_text(std::move(text)); }, py::arg("text"))
      .def("set", [](Doc& d, const py::list& path, const std::string& value) { d.set(to_path(path), value); },
           py::arg("path"), py::arg("value_toml"))
      .def("remove", [](Doc& d, const py::list& path) { d.remove(to_path(path)); }, py::arg("path"))
      .def("append_table", &Doc::append_table, py::arg("name"), py::arg("body"))
      .def("begin_batch", &Doc::begin_batch)
      .def("end_batch", &Doc::end_batch)
      .def("abort_batch", &Doc::abort_batch);
}

}  // namespace hashpivot::python
