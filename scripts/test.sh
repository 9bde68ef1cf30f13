#!/usr/bin/env bash
# The README's second command: set up, build with warnings as errors, run the whole test suite,
# check that a build for this machine's instruction set gives the same bits (scripts/native_check.sh),
# then build and run it again under AddressSanitizer and UndefinedBehaviorSanitizer, then fuzz the
# readers for a short, fixed time (scripts/fuzz.sh; HASHPIVOT_FUZZ_SECONDS per target, default 20:
# six targets, two minutes in all, which keeps CI under 45 minutes).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc)
export HASHPIVOT_SETUP_TESTS=1  # setup.sh also installs what only the tests need (Chromium)

# Assertions stay on in tests: the flags drop the NDEBUG that RelWithDebInfo would add.
bash "$root/scripts/setup.sh" build-test -DHASHPIVOT_WERROR=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g"
echo "test: normal build"
ctest --test-dir "$root/build-test" --parallel "$jobs" --output-on-failure

echo "test: the build for this machine (HASHPIVOT_NATIVE) against the baseline build"
bash "$root/scripts/native_check.sh" build-test

bash "$root/scripts/setup.sh" build-asan -DHASHPIVOT_WERROR=ON -DHASHPIVOT_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g"
echo "test: AddressSanitizer + UndefinedBehaviorSanitizer build"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$root/build-asan" --parallel "$jobs" --output-on-failure

echo "test: libFuzzer targets, ${HASHPIVOT_FUZZ_SECONDS:-20} s each"
bash "$root/scripts/fuzz.sh" "${HASHPIVOT_FUZZ_SECONDS:-20}"
