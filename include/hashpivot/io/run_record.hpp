#pragma once
// A run's result as the plain record the result store keeps (io/result_store.hpp), and the one call
// that `hashpivot run` makes to record a run.

#include <chrono>
#include <cstdint>
#include <string>

#include "hashpivot/sim/simulation.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/io/result_store.hpp"

namespace hashpivot::io {

/// "2026-02-01T09:30:00.125Z": UTC, to the millisecond (sorts as time does).
[[nodiscard]] std::string format_utc_timestamp(std::chrono::system_clock::time_point time);

/// The record of one run: identification (scenario name and path from `scenario_as_read`, seed,
/// paths, threads, version, times), per-strategy summaries with the same numbers as `run --json`,
/// per-month quantiles (5/25/50/75/95 % and mean over paths) of the market series (BTC price USD,
/// hashprice USD/PH/s/day, difficulty in T, fees BTC/block) and of each strategy's month-end cash,
/// BTC held, debt and equity value, the monthly accounts' means, and paths defaulted per month.
/// Rows are ordered market first, then strategies in the scenario's order; months ascending.
[[nodiscard]] io::RunRecord make_run_record(const firm::Scenario& scenario_as_read, const std::string& scenario_text,
                                            const sim::RunResult& result, std::chrono::system_clock::time_point started,
                                            std::chrono::system_clock::time_point finished,
                                            const std::string& version);

/// Records a run in the store at `db` (a SQLite path, created when missing, or a postgresql:// URL)
/// in one transaction, and returns the run's id. Throws InputError when the store cannot be used.
std::int64_t record_run(const std::string& db, const firm::Scenario& scenario_as_read, const std::string& scenario_text,
                        const sim::RunResult& result, std::chrono::system_clock::time_point started,
                        std::chrono::system_clock::time_point finished, const std::string& version);

}  // namespace hashpivot::io
