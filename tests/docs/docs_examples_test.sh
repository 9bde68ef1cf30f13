#!/usr/bin/env bash
# The README's and docs' command examples, and the figures their prose quotes, equal what the program
# prints (scripts/docs-examples.mjs, timings masked), and the check fails when either is edited by hand.
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

# A figure in prose: written from its source's JSON (read here by Python as the reference), checked,
# and caught when edited by hand.
peers="peers scenarios/cango.toml:hold scenarios/cango.toml:sell_4451_repay_ai --paths 200 --json --no-record"
cat >"$scratch/figures.md" <<MD
<!-- figures name="two" run="{bin} $peers" -->
Holding defaults on 0.0%<!-- fig two: firm("hold").p_default | %1 --> of paths.
MD
node "$generator" --bin "$bin" --write "$scratch/figures.md" >/dev/null
node "$generator" --bin "$bin" --check "$scratch/figures.md" >/dev/null
(cd "$root" && "$bin" $peers) >"$scratch/peers.json"
want=$(python3 -c 'import json, sys; print("%.1f%%" % (100 * json.load(open(sys.argv[1]))["firms"][0]["p_default"]))' "$scratch/peers.json")
grep -qF "Holding defaults on $want<!-- fig" "$scratch/figures.md" || { cat "$scratch/figures.md"; echo "expected $want"; exit 1; }
sed -i "s/on $want</on 99.9%</" "$scratch/figures.md"
if node "$generator" --bin "$bin" --check "$scratch/figures.md" 2>"$scratch/err"; then
  echo "a hand-edited figure passed the check"
  exit 1
fi
grep -q 'figures.md:2: figure "99.9%" differs' "$scratch/err" || { cat "$scratch/err"; exit 1; }

# A figure from a command's text output, the run an example block of the same command shows: written
# from the block's own line, checked, caught when edited by hand, and left alone by --check when its
# source says check="no" (a timing's).
hashprice="chain hashprice --difficulty 144.4T --price-usd 68000 --fees-btc-per-block 0.036"
cat >"$scratch/text.md" <<MD
<!-- figures name="hp" text="{bin} $hashprice" -->
<!-- figures name="timing" text="{bin} $hashprice" check="no" -->
A PH/s earns \$0.00<!-- fig hp: num(/hashprice\s+\\\$([\d.]+)/) | 2 --> a day (also 0.00<!-- fig timing: num(/hashprice\s+\\\$([\d.]+)/) | 2 -->).

| in a table | \$0.00<!-- fig hp: num(/hashprice\s+\\\$([\d.]+)/) \\| 2 --> |
<!-- example -->
\`\`\`
\$ build/hashpivot $hashprice
\`\`\`
MD
node "$generator" --bin "$bin" --write "$scratch/text.md" >/dev/null
node "$generator" --bin "$bin" --check "$scratch/text.md" >/dev/null
grep -qF 'earns $29.94<!-- fig hp' "$scratch/text.md" || { cat "$scratch/text.md"; echo "expected the block's \$29.94"; exit 1; }
grep -qF 'also 29.94<!-- fig timing' "$scratch/text.md" || { cat "$scratch/text.md"; echo "expected 29.94 written"; exit 1; }
grep -qF 'hashprice    $29.94 per PH/s per day' "$scratch/text.md" || { cat "$scratch/text.md"; exit 1; }
grep -qF '| in a table | $29.94<!-- fig hp' "$scratch/text.md" || { cat "$scratch/text.md"; echo "the table's figure"; exit 1; }
sed -i 's/also 29.94</also 11.11</' "$scratch/text.md"
node "$generator" --bin "$bin" --check "$scratch/text.md" >/dev/null || { echo "a check=\"no\" figure was checked"; exit 1; }
sed -i 's/earns \$29.94</earns $29.95</' "$scratch/text.md"
if node "$generator" --bin "$bin" --check "$scratch/text.md" 2>"$scratch/err"; then
  echo "a hand-edited text figure passed the check"
  exit 1
fi
grep -q 'text.md:3: figure "29.95" differs' "$scratch/err" || { cat "$scratch/err"; exit 1; }
echo "docs examples and figures: current, and a hand edit is caught"
