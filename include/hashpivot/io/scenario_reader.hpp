#pragma once
// Reading a scenario file (TOML) into firm::Scenario, with every check made before any simulation:
// unknown keys, missing fields, wrong types, out-of-range values (negative capacities, fractions
// above one), impossible dates, dangling references (a fleet entry naming an unknown site) and
// physical inconsistencies (a site's fleet drawing more power than its capacity). The first
// problem is thrown as InputError naming the file, line and key, and what was expected.

#include <string>
#include <vector>

#include "hashpivot/core/plausibility.hpp"
#include "hashpivot/firm/scenario.hpp"

namespace hashpivot::io {

/// Also appends the scenario's plausibility warnings (io/plausibility.hpp: valid values far outside
/// what the world has seen) to `warnings`, each naming the file, line and key.
[[nodiscard]] firm::Scenario read_scenario(const std::string& path, std::vector<InputWarning>& warnings);

/// The scenario alone, its plausibility warnings dropped: for callers that check them elsewhere
/// (the CLI reads through io::read_scenario_input) or not at all (tests, benchmarks).
[[nodiscard]] firm::Scenario read_scenario(const std::string& path);

/// The same reading of a scenario's text, as if read from the file `source` (named in errors, and
/// the directory that the scenario's relative paths are resolved against), its plausibility
/// warnings appended to `warnings`: for front ends that edit a scenario in memory (the Python
/// bindings).
[[nodiscard]] firm::Scenario read_scenario_text(const std::string& text, const std::string& source,
                                                std::vector<InputWarning>& warnings);

}  // namespace hashpivot::io
