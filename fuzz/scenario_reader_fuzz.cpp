// libFuzzer target: io::read_scenario on arbitrary bytes (seeds: scenarios/*.toml).
//
// Expected: a firm::Scenario, or an InputError. A scenario the reader accepts must also flatten
// into a plan for every strategy (firm::make_plan), the next thing `hashpivot run` does with it:
// make_plan's std::invalid_argument there would be exit 3 on input the reader let through.

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/io/scenario_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hashpivot;
  static fuzz::TempInput file("scenario.toml");
  const std::string& path = file.write(data, size);
  fuzz::expect_only_input_errors("scenario_reader", [&] {
    const firm::Scenario scenario = io::read_scenario(path);
    for (std::size_t k = 0; k < scenario.strategies.size(); ++k) (void)firm::make_plan(scenario, k);
  });
  return 0;
}
