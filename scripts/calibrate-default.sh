#!/usr/bin/env bash
# Regenerates data/calibration/default_market.toml, the calibrated parameters of the default market
# model that scenarios include, from the bundled real data.
#
# Window: 2016-01-01 to 2026-01-31, the ten years before the bundled Cango scenario's decision date
# (2026-02-01), so no scenario calibrated with it sees data from after its own start.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh" build
cd "$root"
build/hashpivot calibrate data/history/btc_daily_history_coinmetrics_format.csv \
  --from 2016-01-01 --to 2026-01-31 \
  --energy data/energy/electricity_ercot_dam_spp_hourly_2021_2025.csv --energy-column hb_west_usd_per_mwh \
  --gpu-prices data/ai/gpu_rental_prices_neocloud_2025.csv \
  --toml data/calibration/default_market.toml "$@"
