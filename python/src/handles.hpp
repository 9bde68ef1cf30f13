#pragma once
// The C++ objects behind the package's Result, Store and stored runs (run_bindings.cpp and
// store_bindings.cpp bind them).

#include <memory>
#include <string>
#include <vector>

#include "hashpivot/io/result_store.hpp"
#include "hashpivot/sim/strategy_statistics.hpp"

namespace hashpivot::python {

/// What a Result keeps of a run: its record (what `hashpivot run` prints and records) and the
/// per-strategy statistics, not the monthly sketches (tens of MB that the record summarizes).
struct RunHandle {
  io::RunRecord record;
  std::vector<sim::StrategyStatistics> strategies;
  std::vector<std::string> months;
  double seconds = 0;
};

/// An open result store.
struct StoreHandle {
  std::unique_ptr<io::ResultStore> store;
};

/// A run loaded from a store.
struct RecordHandle {
  io::RunRecord record;
};

}  // namespace hashpivot::python
