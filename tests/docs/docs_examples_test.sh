#!/usr/bin/env bash
# The README's and docs' command examples equal what the program prints (scripts/docs-examples.mjs,
# timings masked), and the check fails when an example is edited by hand.
# Usage: docs_examples_test.sh ROOT HASHPIVOT_BINARY
set -euo pipefail
root=$1
bin=$2
generator=$root/scripts/docs-examples.mjs

node "$generator" --bin "$bin" --check

# A hand edit must be caught: one example, its output changed by one digit.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cat >"$scratch/example.md" <<'MD'
<!-- example -->
```
$ build/hashpivot chain hashprice --difficulty 144.4T --price-usd 68000 --fees-btc-per-block 0.036
```
MD
node "$generator" --bin "$bin" --write "$scratch/example.md" >/dev/null
node "$generator" --bin "$bin" --check "$scratch/example.md" >/dev/null
grep -q 'hashprice    \$29.94 per PH/s per day' "$scratch/example.md" || { echo "generated example lacks the hashprice line"; exit 1; }
sed -i 's/\$29.94/$29.95/' "$scratch/example.md"
if node "$generator" --bin "$bin" --check "$scratch/example.md" 2>"$scratch/err"; then
  echo "a hand-edited example passed the check"
  exit 1
fi
grep -q 'example.md:6: example differs' "$scratch/err" || { cat "$scratch/err"; exit 1; }
echo "docs examples: current, and a hand edit is caught"
