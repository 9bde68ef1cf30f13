#!/usr/bin/env bash
# Regenerates the calibrated market parameters that scenarios include, from the bundled real data:
#
# - data/calibration/default_market.toml: 2016-01-01 to 2026-01-31, the ten years before the
#   bundled Cango scenario's decision date (2026-02-01), so no scenario calibrated with it sees data
#   from after its own start.
# - data/calibration/halving_2024_market.toml: 2024-04-20 (the fourth halving, height 840,000) to
#   2026-01-31: the current subsidy era only, for scenarios that should not carry the 2016-2021
#   growth rates of price and hashrate into 2026 (the bundled scenarios use it).
# Both fit the margin-driven network on their own window. On the 2024-2026 window its parameters are
# weakly identified (wide bootstrap SEs), but a fit on 2016-2026 carries the 2016-2021 build-out (about
# 70% a year) into 2026 and puts April-July 2026's real difficulty (125-139T) in its lowest quarter,
# below its 5% band by July, while the era's own fit holds it between its 5% and 50% quantiles
# (docs/forecast_check.md, "What markets did next").
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh" build
cd "$root"
calibrate() {
  build/hashpivot calibrate data/history/btc_daily_history_coinmetrics_format.csv \
    --from "$1" --to 2026-01-31 \
    --energy data/energy/electricity_ercot_dam_spp_hourly_2021_2025.csv --energy-column hb_west_usd_per_mwh \
    --gpu-prices data/ai/gpu_rental_prices_neocloud_2025.csv \
    --asic-list data/network/asic_miners_cbeci_2014_2020.csv --asic-list data/network/asic_frontier_2022_2026.csv \
    --toml "$2"
}
calibrate 2016-01-01 data/calibration/default_market.toml
calibrate 2024-04-20 data/calibration/halving_2024_market.toml
