// The benchmark program: `hashpivot-bench [SCENARIO] [--threads T] [--paths N] [--json]`, the same
// measurement as `hashpivot bench`, as its own executable so it can be profiled alone.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <exception>

#include "bench_command.hpp"
#include "cli_support.hpp"
#include "hashpivot/core/error.hpp"

int main(int argc, char** argv) {
  using namespace hashpivot::cli;
  CLI::App app{"hashpivot-bench: the engine's throughput (path-days per second) and peak memory", "hashpivot-bench"};
  BenchOptions options;
  configure_bench_options(app, options);
  try {
    app.parse(argc, argv);
    print_benchmark(options);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitBadInput;
  } catch (const hashpivot::InputError& e) {
    fmt::print(stderr, "hashpivot-bench: error: {}\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "hashpivot-bench: internal error: {}\n", e.what());
    return kExitInternalError;
  }
  return kExitOk;
}
