// hashpivot.Store: the result store (io/result_store.hpp; a SQLite file or a postgresql:// URL),
// its runs listed and loaded as records, and a Result saved into it as `hashpivot run` records one.

#include <memory>
#include <string>

#include "bindings.hpp"
#include "handles.hpp"
#include "record_columns.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/io/result_store.hpp"

namespace hashpivot::python {
namespace {

std::shared_ptr<StoreHandle> open_store(const std::string& location, bool create) {
  const py::gil_scoped_release release;
  auto handle = std::make_shared<StoreHandle>();
  handle->store = io::open_result_store(location, create ? io::StoreAccess::kCreate : io::StoreAccess::kExisting);
  return handle;
}

io::ResultStore& open_or_throw(StoreHandle& h) {
  if (!h.store) throw InputError("argument", 0, "store", "the store is closed");
  return *h.store;
}

py::list list_runs(StoreHandle& h) {
  std::vector<io::RunListing> listings;
  {
    const py::gil_scoped_release release;
    listings = open_or_throw(h).list();
  }
  py::list out;
  for (const io::RunListing& l : listings) {
    py::dict row = run_info(l.run);
    row["strategies"] = l.strategies;
    out.append(row);
  }
  return out;
}

std::shared_ptr<RecordHandle> load_run(StoreHandle& h, std::int64_t id) {
  auto handle = std::make_shared<RecordHandle>();
  const py::gil_scoped_release release;
  handle->record = open_or_throw(h).load_or_throw(id);
  return handle;
}

}  // namespace

void bind_store(py::module_& m) {
  py::class_<RecordHandle, std::shared_ptr<RecordHandle>>(m, "RecordHandle", "A run as the store recorded it.")
      .def_property_readonly("info", [](const RecordHandle& h) { return run_info(h.record.run); })
      .def_property_readonly("market", [](const RecordHandle& h) { return h.record.market_description; })
      .def_property_readonly("scenario_text", [](const RecordHandle& h) { return h.record.scenario_text; })
      .def_property_readonly("warnings", [](const RecordHandle& h) { return h.record.warnings; })
      .def("summary", [](const RecordHandle& h) { return summary_columns(h.record.strategies); })
      .def("monthly_quantiles", [](const RecordHandle& h) { return monthly_quantile_columns(h.record); })
      .def("monthly_accounts", [](const RecordHandle& h) { return monthly_account_columns(h.record); })
      .def("default_months", [](const RecordHandle& h) { return default_month_columns(h.record); });
  py::class_<StoreHandle, std::shared_ptr<StoreHandle>>(m, "StoreHandle", "An open result store.")
      .def_property_readonly("location", [](StoreHandle& h) { return open_or_throw(h).location(); })
      .def_property_readonly("engine", [](StoreHandle& h) { return std::string(open_or_throw(h).engine_name()); })
      .def_property_readonly("schema_version", [](StoreHandle& h) { return open_or_throw(h).schema_version(); })
      .def("list", &list_runs)
      .def("load", &load_run, py::arg("run_id"))
      .def(
          "save",
          [](StoreHandle& h, RunHandle& run) {
            const py::gil_scoped_release release;
            const std::int64_t id = open_or_throw(h).save(run.record);
            run.record.run.id = id;  // as `hashpivot run` prints it: the result now names its record
            return id;
          },
          py::arg("run"))
      .def("close", [](StoreHandle& h) {
        const py::gil_scoped_release release;
        h.store.reset();
      });
  m.def("open_store", &open_store, py::arg("location"), py::arg("create"));
  m.def("default_store_location", &io::default_result_store);
}

}  // namespace hashpivot::python
