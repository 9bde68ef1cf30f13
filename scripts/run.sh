#!/usr/bin/env bash
# The README's first command: set up, build, and run the main job. With arguments, runs
# `hashpivot ARGS...` instead, from the same build.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh" build
cd "$root"
if (($# > 0)); then
  exec build/hashpivot "$@"
fi
# The main job: Cango's February 2026 choices compared on 10,000 simulated paths, recorded in
# hashpivot.sqlite, with the HTML report to open in a browser.
build/hashpivot run scenarios/cango.toml --report build/cango_report.html
