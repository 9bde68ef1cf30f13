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
# The main job until the firm model exists: Bitcoin's retarget rule replayed over the real mainnet history.
build/hashpivot chain verify build/data/mainnet_retargets.csv
