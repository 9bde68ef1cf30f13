#pragma once
// Reading a scenario file (TOML) into firm::Scenario, with every check made before any simulation:
// unknown keys, missing fields, wrong types, out-of-range values (negative capacities, fractions
// above one), impossible dates, dangling references (a fleet entry naming an unknown site) and
// physical inconsistencies (a site's fleet drawing more power than its capacity). The first
// problem is thrown as InputError naming the file, line and key, and what was expected.

#include <string>

#include "hashpivot/firm/scenario.hpp"

namespace hashpivot::io {

[[nodiscard]] firm::Scenario read_scenario(const std::string& path);

}  // namespace hashpivot::io
