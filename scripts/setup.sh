#!/usr/bin/env bash
# The one set-up step that the README's commands share: install from Debian 12's packages whatever
# is missing, then configure and build. Idempotent, and quiet when everything is already there.
#
# Usage: scripts/setup.sh BUILD_DIR [CMAKE_ARGS...]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:?usage: scripts/setup.sh BUILD_DIR [CMAKE_ARGS...]}
shift
case $build_dir in /*) ;; *) build_dir=$root/$build_dir ;; esac

# Everything the build, the tests and the tools need, from Debian 12 only.
packages=(
  build-essential cmake ninja-build pkg-config
  libcli11-dev nlohmann-json3-dev libfmt-dev libgtest-dev
  librandom123-dev libtomlplusplus-dev libnlopt-cxx-dev libeigen3-dev
  libsqlite3-dev libpqxx-dev postgresql
  libopenmpi-dev openmpi-bin libcpp-httplib-dev
  python3-dev pybind11-dev python3-numpy python3-pandas
)
# npm fetches the report's chart library; a machine whose node already brings npm (e.g. a
# NodeSource build, which conflicts with Debian's npm package) keeps it.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi
# The tests also check the HTML report in a real browser, fuzz the readers (clang's libFuzzer), and
# run the Python module's pytest suite and examples (matplotlib, headless).
if [[ ${HASHPIVOT_SETUP_TESTS:-0} == 1 ]]; then
  packages+=(chromium clang libclang-rt-14-dev python3-pytest python3-matplotlib)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The report's chart library, from the npm registry (versions pinned by report/package-lock.json);
# the build inlines it into the binary, so nothing is fetched when a report is viewed.
if [[ ! -f $root/report/node_modules/uplot/dist/uPlot.iife.min.js ]]; then
  echo "setup: npm ci in report/"
  (cd "$root/report" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
# The dashboard of `hashpivot serve` (web/): Preact, htm and uPlot, bundled by esbuild at build time
# into the binary; playwright-core drives Debian's Chromium in its browser test (pinned by
# web/package-lock.json).
if [[ ! -f $root/web/node_modules/esbuild/package.json ]]; then
  echo "setup: npm ci in web/"
  (cd "$root/web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# Reconfigure only when the requested options differ from the last configure of this directory.
mkdir -p "$build_dir"
options_file=$build_dir/.hashpivot-cmake-args
requested="$*"
if [[ ! -f $build_dir/CMakeCache.txt || ! -f $options_file || $(cat "$options_file") != "$requested" ]]; then
  echo "setup: configuring $build_dir"
  log=$build_dir/configure.log
  if ! cmake -S "$root" -B "$build_dir" -G Ninja "$@" >"$log" 2>&1; then
    cat "$log"
    exit 1
  fi
  printf '%s' "$requested" >"$options_file"
fi

log=$build_dir/build.log
if ! cmake --build "$build_dir" --parallel "$(nproc)" >"$log" 2>&1; then
  cat "$log"
  echo "setup: build failed in $build_dir" >&2
  exit 1
fi
grep -q 'no work to do' "$log" || echo "setup: built $build_dir"
