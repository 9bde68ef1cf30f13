#!/usr/bin/env bash
# The build for this machine's instruction set (HASHPIVOT_NATIVE: with AVX2 or AVX-512 the firms of
# 4 paths step at once, docs/speed.md "The structure-of-arrays step") must give the bits of the
# baseline build in BASELINE_BUILD (default build-test): its block-step tests pass, and Cango's
# main job prints the same JSON, compared whole. Run by scripts/test.sh after the normal build.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
baseline="$root/${1:-build-test}"
native="$root/build-native"
# Without HASHPIVOT_WERROR: GCC 12 warns (maybe-uninitialized) inside its own AVX-512 intrinsics
# where Eigen uses them; the baseline build holds the project's warnings at zero.
cmake -S "$root" -B "$native" -G Ninja -DHASHPIVOT_NATIVE=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g" > /dev/null
cmake --build "$native" --parallel "$(nproc)" --target hashpivot firm_tests sim_tests
"$native/tests/firm_tests" --gtest_filter='LaneStep.*:Copies/LaneStepOn.*:Accounts.*:DaySteps.*'
"$native/tests/sim_tests" --gtest_filter='BlockStep.*:Simulation.results_are_bit_identical_for_any_thread_count'
scenario="$root/scenarios/cango.toml"
for build in "$baseline" "$native"; do
  "$build/hashpivot" run "$scenario" --paths 1000 --no-record --json > "$build/native_check.json"
done
if ! cmp -s "$baseline/native_check.json" "$native/native_check.json"; then
  echo "native_check: the native build's JSON differs from the baseline build's" >&2
  exit 1
fi
echo "native_check: the native build (AVX2: $(grep -q -m1 avx2 /proc/cpuinfo && echo yes || echo no)) gives the baseline build's bits"
