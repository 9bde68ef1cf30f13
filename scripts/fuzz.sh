#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, docs/fuzzing.md) in build-fuzz with clang, AddressSanitizer and
# UBSan, writes their seed corpora from the bundled files, runs each target for a fixed time and
# prints what it ran. Fails when a target finds a crash, an uncaught exception, a hang or a leak.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default: 30 s, every target)
# Environment: HASHPIVOT_FUZZ_BUILD_DIR (default ROOT/build-fuzz); HASHPIVOT_BIN, a hashpivot binary
# to record a real run for the result store's seeds (default: build-test's or build-dev's, if built).
# The corpus each target grows is kept in BUILD_DIR/fuzz-run/corpus/TARGET for the next run; findings
# land in BUILD_DIR/fuzz-run/findings/TARGET/ (crash-…, timeout-…, leak-…, oom-…).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-30}
shift || true
all_targets=(scenario_reader calibration_reader history_csv compact_bits block_records_csv result_store)
targets=("$@")
((${#targets[@]} > 0)) || targets=("${all_targets[@]}")
build=${HASHPIVOT_FUZZ_BUILD_DIR:-$root/build-fuzz}
work=$build/fuzz-run

for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done

# --- Build: assertions on (no NDEBUG), -O1 as libFuzzer recommends. ---
configure_args=(-G Ninja -DHASHPIVOT_FUZZ=ON -DHASHPIVOT_BUILD_TESTS=OFF -DHASHPIVOT_WITH_MPI=OFF
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g")
mkdir -p "$build"
if [[ ! -f $build/CMakeCache.txt || $(cat "$build/.hashpivot-fuzz-args" 2>/dev/null) != "${configure_args[*]}" ]]; then
  echo "fuzz: configuring $build"
  if ! CC=clang CXX=clang++ cmake -S "$root" -B "$build" "${configure_args[@]}" >"$build/configure.log" 2>&1; then
    cat "$build/configure.log"
    exit 1
  fi
  printf '%s' "${configure_args[*]}" >"$build/.hashpivot-fuzz-args"
fi
if ! cmake --build "$build" --target hashpivot_fuzz --parallel "$(nproc)" >"$build/build.log" 2>&1; then
  cat "$build/build.log"
  echo "fuzz: build failed in $build" >&2
  exit 1
fi

# --- Seeds, written afresh from the repository's files on every run. ---
seeds=$work/seeds
rm -rf "$seeds"
mkdir -p "$seeds" "$work/tmp"
for t in "${all_targets[@]}"; do mkdir -p "$seeds/$t" "$work/corpus/$t" "$work/findings/$t"; done

# Hand-written seeds (a small scenario) join the ones cut from the bundled files.
for t in "${all_targets[@]}"; do
  [[ -d $root/fuzz/seeds/$t ]] && cp "$root/fuzz/seeds/$t"/* "$seeds/$t/"
done
cp "$root"/scenarios/*.toml "$seeds/scenario_reader/"
cp "$root"/data/calibration/*.toml "$seeds/calibration_reader/"

# Slices of LINES data rows (with the header) at START (1 = the first data row) of a CSV.
slice() {  # slice FILE START LINES OUT
  sed -n "1p;$(($2 + 1)),$(($2 + $3))p" "$1" >"$4"
}
for history in "$root"/data/history/*.csv; do
  name=$(basename "$history" .csv)
  rows=$(($(wc -l <"$history") - 1))
  slice "$history" 1 200 "$seeds/history_csv/$name-first.csv"
  slice "$history" $((rows - 199)) 200 "$seeds/history_csv/$name-last.csv"
  for part in 1 2 3 4 5 6 7; do slice "$history" $((rows * part / 8)) 12 "$seeds/history_csv/$name-$part.csv"; done
done

retargets=$work/mainnet_retargets.csv
bash "$root/scripts/derive-mainnet-retargets.sh" "$root/data/chain/btc_difficulty_epochs.csv" "$retargets"
rows=$(($(wc -l <"$retargets") - 1))
for part in 0 1 2 3; do slice "$retargets" $((1 + rows * part / 4)) 24 "$seeds/block_records_csv/retargets-$part.csv"; done

# compact_bits reads bits (4 bytes) | first time (8) | last time (8) | target (32), all big-endian.
write_hex() {  # write_hex HEX OUT
  local hex=$1 escaped=""
  for ((i = 0; i < ${#hex}; i += 2)); do escaped+="\\x${hex:i:2}"; done
  printf "$escaped" >"$2"
}
n=0
while IFS=, read -r bits target _; do
  write_hex "${bits#0x}$(printf '%032x' 0)$target" "$seeds/compact_bits/nbits-$((n++))"
done < <(tail -n +2 "$root/data/chain/bitcoin_core_compact_nbits_vectors.csv")
while IFS=, read -r _ first _ _ last bits _; do
  write_hex "${bits#0x}$(printf '%016x%016x' "$first" "$last")" "$seeds/compact_bits/retarget-$((n++))"
done < <(tail -n +2 "$root/data/chain/bitcoin_core_pow_retarget_vectors.csv")

# The result store: a synthetic store and its SQL dump, and a real run's store when a hashpivot is built.
stores=()
hashpivot=${HASHPIVOT_BIN:-}
for candidate in "$root/build-test/hashpivot" "$root/build-dev/hashpivot"; do
  [[ -z $hashpivot && -x $candidate ]] && hashpivot=$candidate
done
if [[ -n $hashpivot ]]; then
  rm -f "$work/run.sqlite"
  if "$hashpivot" run "$root/scenarios/hydro_no_debt.toml" --paths 1 --db "$work/run.sqlite" >/dev/null 2>&1; then
    stores+=("$work/run.sqlite")  # make_store_seeds cuts it to a few rows per table
  else
    echo "fuzz: $hashpivot run --paths 1 failed; the store's seeds are synthetic only"
  fi
fi
"$build/fuzz/make_store_seeds" "$seeds/result_store" "${stores[@]}"

# Dictionaries for libFuzzer: the keys, table names and quoted words of the TOML seeds, and the
# column names of the CSV seeds, so that mutations insert whole words of the format.
quote_words() { sort -u | sed '/^$/d; s/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/'; }
toml_dict() {  # toml_dict OUT FILE...
  local out=$1
  shift
  { grep -ohE '^[[:space:]]*\[{1,2}[A-Za-z0-9_.]+\]{1,2}' "$@" | tr -d ' \t' || true
    grep -ohE '[A-Za-z_][A-Za-z0-9_]*[[:space:]]*=' "$@" | tr -d ' \t=' || true
    grep -ohE '"[A-Za-z_:]+"' "$@" || true; } | quote_words >"$out"
}
csv_dict() {  # csv_dict OUT FILE...
  local out=$1
  shift
  for f in "$@"; do head -n 1 "$f" | tr ',' '\n'; done | tr -d '\r' | quote_words >"$out"
}
toml_dict "$work/scenario_reader.dict" "$seeds"/scenario_reader/*
toml_dict "$work/calibration_reader.dict" "$seeds"/calibration_reader/*
csv_dict "$work/history_csv.dict" "$seeds"/history_csv/*
csv_dict "$work/block_records_csv.dict" "$seeds"/block_records_csv/*

# --- Run. ---
export TMPDIR=$work/tmp  # the targets' per-process input files
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
printf '%-20s %10s %8s %8s %8s %9s  %s\n' target executions exec/s cov ft rss_mb result
for t in "${targets[@]}"; do
  log=$work/$t.log
  inputs=("$work/corpus/$t" "$seeds/$t")
  [[ -d $root/tests/fuzz_regressions/$t ]] && inputs+=("$root/tests/fuzz_regressions/$t")
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$work/findings/$t/")
  [[ -f $work/$t.dict ]] && options+=(-dict="$work/$t.dict")
  status=0
  "$build/fuzz/${t}_fuzz" "${options[@]}" "${inputs[@]}" >"$log" 2>&1 || status=$?
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
  last=$(grep -E '(DONE|pulse|NEW|REDUCE|INITED) +cov:' "$log" | tail -n 1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  result=ok
  if ((status != 0)); then
    result="FAILED (exit $status; $log)"
    failed+=("$t")
  fi
  printf '%-20s %10s %8s %8s %8s %9s  %s\n' "$t" "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" \
    "${cov:--}" "${ft:--}" "$(stat peak_rss_mb)" "$result"
done
if ((${#failed[@]} > 0)); then
  for t in "${failed[@]}"; do
    echo "--- $t: $(ls "$work/findings/$t" | head -n 5 | tr '\n' ' ')"
    grep -E -A 12 '==fuzz finding==|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$work/$t.log" | head -n 40
  done
  echo "fuzz: findings in ${failed[*]}: reproduce with $build/fuzz/TARGET_fuzz FILE (docs/fuzzing.md)" >&2
  exit 1
fi
echo "fuzz: no findings (${seconds} s per target)"
