#!/usr/bin/env bash
# Usage: derive-mainnet-retargets.sh EPOCHS.csv OUT.csv
# Writes OUT.csv (height,time,bits) from the epochs table (data/chain/btc_difficulty_epochs.csv):
# for every epoch, a row for its first block and one for its last block where the timestamp is known.
# Those are exactly the rows `hashpivot chain verify` needs to replay each retarget.
set -euo pipefail
epochs=${1:?usage: derive-mainnet-retargets.sh EPOCHS.csv OUT.csv}
out=${2:?usage: derive-mainnet-retargets.sh EPOCHS.csv OUT.csv}
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  {
    bits = $col["nbits_hex"]
    if ($col["start_time_unix"] != "") print $col["start_height"] "," $col["start_time_unix"] "," bits
    if ($col["end_time_unix"] != "")   print $col["end_height"] "," $col["end_time_unix"] "," bits
  }' "$epochs" | sort -t, -k1,1n | { echo "height,time,bits"; cat; } > "$out"
