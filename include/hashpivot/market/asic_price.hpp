#pragma once
// ASIC prices in USD per TH/s by efficiency tier (docs/model.md §3; tiers of the Luxor ASIC Price Index:
// < 25, 25–38, 38–68, ≥ 68 J/TH), moving with hashprice:
//   ln p_{tier,t} = ln p_{tier,0} + β · ln(hashprice_t / hashprice_0) + s · z_t,
// i.e. p = p_0 · (hashprice_t / hashprice_0)^β · e^{s z}. hashprice_0 is the hashprice on the date
// of the base prices (Dec 2025 for the sourced ones); the caller passes the ratio.
//
// There is no ASIC price time series in the data, so neither β nor s is fitted: β = 1 ("the price
// of a TH/s follows the revenue it earns") is an ASSUMPTION, and s = 0 (no noise beyond hashprice)
// until a series is available. asic_price_report says so (method "sourced", NaN SEs), and sets the
// assumption beside the elasticity implied by two sourced quotes and the history's hashprice.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "hashpivot/market/fit.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::market {

enum class AsicTier : std::size_t { kBelow25 = 0, k25To38 = 1, k38To68 = 2, kAbove68 = 3 };
inline constexpr std::size_t kAsicTiers = 4;

/// The Luxor tier of a machine of `j_per_th` J/TH: [0, 25), [25, 38), [38, 68), [68, ∞).
[[nodiscard]] AsicTier asic_tier_of(double j_per_th) noexcept;
/// "below_25_j_per_th", "25_to_38_j_per_th", "38_to_68_j_per_th", "above_68_j_per_th".
[[nodiscard]] std::string_view asic_tier_name(AsicTier tier) noexcept;

/// Sourced quotes (docs/model.md §3 and §7), USD per TH/s.
/// Dec 2025, S21 hydro/immersion (< 25 J/TH): $7–8/TH → midpoint 7.5.
inline constexpr double kS21HydroDec2025UsdPerTh = 7.5;
/// Dec 2025, S19 XP+ Hydro (< 25 J/TH, the older end of the tier): ~$4/TH.
inline constexpr double kS19XpHydroDec2025UsdPerTh = 4.0;
/// Jul 2023, sub-25 J/TH: ~$20/TH.
inline constexpr double kBelow25Jul2023UsdPerTh = 20.0;

struct AsicPriceModel {
  /// p_{tier,0} in USD per TH/s at hashprice_0, indexed by AsicTier. Default: the < 25 J/TH tier at
  /// kS21HydroDec2025UsdPerTh (the new-machine end of the tier's Dec 2025 range); the other tiers
  /// have no sourced quote (docs/model.md, data/README) and are NaN: configure them before use.
  std::array<double, kAsicTiers> base_usd_per_th{kS21HydroDec2025UsdPerTh, std::numeric_limits<double>::quiet_NaN(),
                                                 std::numeric_limits<double>::quiet_NaN(),
                                                 std::numeric_limits<double>::quiet_NaN()};
  /// β, ASSUMED 1 (price follows revenue); not fitted (no ASIC price series in the data).
  double hashprice_elasticity = 1.0;
  /// s, sd of the daily log noise; 0: no source for a value.
  double noise_sd_log = 0.0;

  /// p_0 · ratio^β · e^{s z}, USD per TH/s. Preconditions: hashprice_ratio > 0.
  [[nodiscard]] double usd_per_th(AsicTier tier, double hashprice_ratio, double z) const noexcept {
    return base_usd_per_th[static_cast<std::size_t>(tier)] * std::pow(hashprice_ratio, hashprice_elasticity) *
           std::exp(noise_sd_log * z);
  }
};

/// The ASIC price noise shock of (path, step): normals({kAsicPrice, path, step, 0})[0].
[[nodiscard]] double asic_price_shock(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step);

/// Mean hashprice in USD per PH/s per day over days [from, to] of the history (docs/model.md §2:
/// 86400 · 10^15 / (2^32 · D) · reward per block · price, with reward per block = (change of SplyCur
/// + FeeTotNtv) / BlkCnt), over the days where all of these are known; NaN if there is none.
[[nodiscard]] double mean_hashprice_usd_per_ph_day(const DailyHistory& history, DayNumber from, DayNumber to);

/// Factor "asic_price", model "hashprice_elasticity", method "sourced": the base prices,
/// hashprice_elasticity and noise_sd_log, all with NaN SE (nothing is fitted).
[[nodiscard]] FitReport asic_price_report(const AsicPriceModel& model);
/// As above, plus goodness-of-fit lines comparing the assumed β with the elasticity implied by the
/// sourced quotes of Jul 2023 (sub-25 $20/TH) and Dec 2025 (S21 $7.5/TH; S19 XP+ $4/TH) and the
/// history's mean hashprice in those months (NaN where the history does not cover them). Two points
/// confounded by the tier's aging are no estimate; the lines are a plausibility check only.
[[nodiscard]] FitReport asic_price_report(const AsicPriceModel& model, const DailyHistory& history);

}  // namespace hashpivot::market
