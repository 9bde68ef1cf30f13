#include "hashpivot/market/asic_price.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "hashpivot/chain/work.hpp"
#include "hashpivot/core/units.hpp"

namespace hashpivot::market {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Luxor ASIC Price Index tier bounds (docs/model.md §3), J/TH.
constexpr double kTierBound25 = 25.0;
constexpr double kTierBound38 = 38.0;
constexpr double kTierBound68 = 68.0;

// Months of the sourced quotes (docs/model.md §3).
DayNumber day(const char* iso) { return *parse_date(iso); }

}  // namespace

AsicTier asic_tier_of(double j_per_th) noexcept {
  if (j_per_th < kTierBound25) return AsicTier::kBelow25;
  if (j_per_th < kTierBound38) return AsicTier::k25To38;
  if (j_per_th < kTierBound68) return AsicTier::k38To68;
  return AsicTier::kAbove68;
}

std::string_view asic_tier_name(AsicTier tier) noexcept {
  switch (tier) {
    case AsicTier::kBelow25: return "below_25_j_per_th";
    case AsicTier::k25To38: return "25_to_38_j_per_th";
    case AsicTier::k38To68: return "38_to_68_j_per_th";
    case AsicTier::kAbove68: return "above_68_j_per_th";
  }
  return "unknown";
}

double asic_price_shock(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step) {
  return rng.normals({random::Stream::kAsicPrice, path, step, 0})[0];
}

double mean_hashprice_usd_per_ph_day(const DailyHistory& h, DayNumber from, DayNumber to) {
  // Hashes a PH/s does in a day (chain::kHashesPerDifficulty: 2^32 per unit of difficulty, docs/model.md §1, Work).
  constexpr double kPhPerSecondPerDay = kSecondsPerDay * kHashesPerPh;
  double sum = 0;
  int n = 0;
  for (std::size_t i = 1; i < h.days(); ++i) {
    if (h.day(i) < from || h.day(i) > to) continue;
    const double issued = h.supply_btc[i] - h.supply_btc[i - 1];
    const double blocks = h.block_count[i], fees = h.fees_btc[i], d = h.difficulty[i], price = h.price_usd[i];
    if (!(std::isfinite(issued) && issued >= 0 && std::isfinite(fees) && std::isfinite(d) && d > 0 &&
          std::isfinite(price) && std::isfinite(blocks) && blocks > 0))
      continue;
    sum += kPhPerSecondPerDay / (chain::kHashesPerDifficulty * d) * (issued + fees) / blocks * price;
    ++n;
  }
  return n > 0 ? sum / n : kNaN;
}

FitReport asic_price_report(const AsicPriceModel& model) {
  FitReport r;
  r.factor = "asic_price";
  r.model = "hashprice_elasticity";
  r.method =
      "sourced: base prices from docs/model.md §3 (Dec 2025 quotes; tiers without a quote are NaN); "
      "hashprice_elasticity = 1 is an assumption (price follows revenue), noise_sd_log = 0: no ASIC price series";
  r.observations = 0;
  r.log_likelihood = kNaN;
  for (std::size_t t = 0; t < kAsicTiers; ++t)
    r.parameters.push_back({"base_usd_per_th_" + std::string(asic_tier_name(static_cast<AsicTier>(t))),
                            model.base_usd_per_th[t], kNaN});
  r.parameters.push_back({"hashprice_elasticity", model.hashprice_elasticity, kNaN});
  r.parameters.push_back({"noise_sd_log", model.noise_sd_log, kNaN});
  return r;
}

FitReport asic_price_report(const AsicPriceModel& model, const DailyHistory& history) {
  FitReport r = asic_price_report(model);
  const double hp_2023 = mean_hashprice_usd_per_ph_day(history, day("2023-07-01"), day("2023-07-31"));
  const double hp_2025 = mean_hashprice_usd_per_ph_day(history, day("2025-12-01"), day("2025-12-31"));
  const double log_hp = std::log(hp_2023 / hp_2025);
  r.fit.push_back({"hashprice ratio Jul 2023 / Dec 2025", kNaN, hp_2023 / hp_2025,
                   "history: monthly means of the docs/model.md §2 hashprice (USD/PH/day)"});
  r.fit.push_back({"elasticity, sub-25 J/TH $20 (Jul 2023) vs S21 hydro $7.5 (Dec 2025)", model.hashprice_elasticity,
                   std::log(kBelow25Jul2023UsdPerTh / kS21HydroDec2025UsdPerTh) / log_hp,
                   "model: assumed beta; history: ln(price ratio)/ln(hashprice ratio), two points, the tier aged"});
  r.fit.push_back({"elasticity, sub-25 J/TH $20 (Jul 2023) vs S19 XP+ Hydro $4 (Dec 2025)", model.hashprice_elasticity,
                   std::log(kBelow25Jul2023UsdPerTh / kS19XpHydroDec2025UsdPerTh) / log_hp,
                   "model: assumed beta; history: ln(price ratio)/ln(hashprice ratio), two points, the tier aged"});
  return r;
}

}  // namespace hashpivot::market
