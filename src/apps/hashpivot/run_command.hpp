#pragma once
// `hashpivot run`, and the commit of a run's record and report that `hashpivot peers` shares.

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>

#include "hashpivot/io/result_store.hpp"
#include "hashpivot/io/run_record.hpp"
#include "hashpivot/sim/process_group.hpp"
#include "hashpivot/sim/simulation.hpp"

namespace hashpivot::cli {

void add_run_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& group);

/// The options of a command whose run is recorded and reported, as `run` and `peers` spell them:
/// --db STORE, --no-record and --report FILE.
void add_record_options(CLI::App& cmd, std::string& db, bool& no_record, std::string& report);

/// The whole text of the file at `path` ("" when it cannot be read).
[[nodiscard]] std::string read_text(const std::string& path);

/// Commits a run's outputs together (run and peers): its record in `store` (unless nullptr) and its
/// HTML report at `report_path` (unless ""); on any failure or a stop asked for before the commit,
/// neither. Sets record.run.id to the store's id.
void commit_run_outputs(io::RunRecord& record, io::ResultStore* store, const std::string& report_path);

/// The progress line of a simulation on a terminal: "N of M paths (x%), t s, about s left" on
/// stderr, shown once the run has taken a second (quiet for short runs and off a terminal).
class ProgressLine {
 public:
  /// Sets options.progress when stderr is a terminal; `options` is then run with this line alive.
  explicit ProgressLine(sim::RunOptions& options);
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  /// Returns simulate(), the line cleared when it returns or throws.
  template <class Simulate>
  auto run(Simulate&& simulate) {
    try {
      auto result = simulate();
      clear();
      return result;
    } catch (...) {
      clear();  // the progress line gives way to the message
      throw;
    }
  }

 private:
  void clear();
  std::chrono::steady_clock::time_point started_;
  bool shown_ = false;
};

}  // namespace hashpivot::cli
