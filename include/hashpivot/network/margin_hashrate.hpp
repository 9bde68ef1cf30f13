#pragma once
// The margin-driven network hashrate (docs/model.md §2, model 2; docs/margin_driven.md): the network's
// fleet as machines by release (= order) day, each release with the efficiency frontier of its day,
// and each release's hashrate split alike over a few classes of avoidable power price. Once a day:
//
//   1. machines ordered `pipeline_lag_days` ago arrive (orders → shipping → energization);
//   2. the fleet's size moves by the day's shock and the AI/HPC exits:
//        installed ← installed · exp(sigma_per_day · z − ai_exit_share_per_year/365 [from ai_exit_start_day]),
//      the unexplained part of the network's changes (weather, regulation, unrecorded sites), as one
//      multiplicative noise on the whole fleet (z: the engine's correlated hashrate shock);
//   3. releases more than `max_age_days` old retire for good (CBECI's five-year rule);
//   4. a machine of e J/TH in power class k runs iff its avoidable power cost is at most the day's
//      hashprice (CBECI's profitability threshold):
//        24·10⁻³ · e · power_overhead · p_k  <=  hashprice_usd_per_ph_day
//      (e J/TH = kW per PH/s; 24 h; MWh), p_k = median · exp(log_sd · Φ⁻¹((k − ½)/K)), the K
//      quantile midpoints of a lognormal distribution of power prices across the network's miners;
//      so shutdown is gradual in hashprice. Machines off stay installed and restart when profitable.
//      A share `must_run_share` of every release runs whatever the hashprice: power whose cost is sunk
//      or not avoidable at the margin (take-or-pay and fixed-price contracts, stranded and flared gas,
//      hosting clients who keep mining); the K classes share the rest. Without it the cheapest class
//      sets a hashprice below which the whole network stops, and with it the chain;
//   5. frontier machines are ordered when they pay their power with a hurdle that stands for capital:
//        ratio  = hashprice / (24·10⁻³ · e_frontier(day) · power_overhead · median)
//        orders = supply_share_per_year/365 · installed · clamp((ratio − 1 − entry_hurdle) / entry_ramp, 0, 1),
//      ASIC supply scaling with the industry; they arrive `pipeline_lag_days` later.
// Within a release bin of `cohort_days` the installed hashrate is spread evenly over the days, so the
// hashrate running (and the retirement at the age limit) moves continuously with the hashprice.
// The frontier improves exponentially: e(t) = e_ref · exp(−decline · (t − t_ref)/365), fitted to the
// CBECI hardware list (fit_efficiency_frontier).
//
// The daily step is a pure, allocation-free function of a fixed-size FleetState (no vectors), so the
// market model keeps one per path; MarginHashrateModel holds what the step precomputes once.
// Calibration: network/margin_calibration.hpp.

#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/core/units.hpp"

namespace hashpivot::network {

/// e(day) = j_per_th_at_reference · exp(−log_decline_per_year · (day − reference_day) / 365).
/// fit_efficiency_frontier(CBECI list, kEnvelope, from 2016-06-01): 31.0 J/TH on 2020-05-01,
/// −0.323 ± 0.050 a year. Out of sample the fit is optimistic: it gives about 9.5 J/TH for 2024, when
/// the S21 (17.5 J/TH) and S21 XP (13.5 J/TH) were the best (docs/model.md §4).
struct EfficiencyFrontier {
  double j_per_th_at_reference = 31.0;
  DayNumber reference_day = 18383;  // 2020-05-01 (Antminer S19 Pro)
  double log_decline_per_year = 0.323;
  double log_decline_se = 0;
  int models_used = 0;

  [[nodiscard]] double j_per_th(DayNumber day) const;
};

enum class FrontierFit {
  kAllModels,  // every ASIC model of the list
  kEnvelope,   // the models that set a new best efficiency when released (the frontier itself)
};

/// One ASIC model of a hardware list.
struct AsicModel {
  DayNumber release_day;
  double j_per_th;
};

/// The CBECI hardware list (columns `release_date`, `efficiency_j_per_th`), release order, without the
/// rows above 1000 J/TH (CBECI's CPU, GPU, FPGA and early-ASIC placeholders). Throws InputError on a
/// malformed file.
[[nodiscard]] std::vector<AsicModel> read_asic_list(const std::filesystem::path& cbeci_csv);

/// Every list's models together, in release order (e.g. the CBECI list and a later extension).
[[nodiscard]] std::vector<AsicModel> read_asic_lists(std::span<const std::string> csv_files);

/// Fits ln(J/TH) = a − decline · years by OLS on the models released in [from, to] (each bound
/// optional). The reference day is the last release date used, with the fitted (not the listed)
/// efficiency. Throws ParameterError ("asic_models") with fewer than 3 models.
[[nodiscard]] EfficiencyFrontier fit_efficiency_frontier(std::span<const AsicModel> models, FrontierFit how,
                                                         std::optional<DayNumber> from = std::nullopt,
                                                         std::optional<DayNumber> to = std::nullopt);

/// The same on the list in `cbeci_csv`; with fewer than 3 models an InputError names the file.
[[nodiscard]] EfficiencyFrontier fit_efficiency_frontier(const std::filesystem::path& cbeci_csv, FrontierFit how,
                                                         std::optional<DayNumber> from = std::nullopt);

/// The frontier a calibration window uses: the envelope of the models released from 2016-06-01 (the
/// Antminer S9, the 16 nm generation) to `to`, or, with fewer than 3 of them, of every model up to `to`.
[[nodiscard]] EfficiencyFrontier window_frontier(std::span<const AsicModel> models, DayNumber to);

/// Most power-price classes, release bins and pipeline days a fleet holds (fixed-size arrays).
inline constexpr int kMaxPowerClasses = 9;
inline constexpr int kFleetBins = 96;
inline constexpr int kMaxPipelineDays = 365;
/// Bounds that keep the model's day arithmetic in range whatever a calibration file says (the
/// fuzzer reaches them; real calibrations sit far inside): a machine life of at most a century, and
/// a frontier reference day from day 0 (1970-01-01) to two centuries of days later (73,000, in 2169).
inline constexpr int kMaxAgeDaysBound = 100 * static_cast<int>(kDaysPerYear);
inline constexpr DayNumber kLatestFrontierReferenceDay = 2 * kMaxAgeDaysBound;

/// The model's parameters. Which are fitted, sourced or assumed: network/margin_calibration.hpp.
struct MarginHashrateParams {
  EfficiencyFrontier frontier;
  double power_overhead = 1.1;                   // PUE of mining sites (CBECI best guess)
  int max_age_days = 5 * static_cast<int>(kDaysPerYear);                    // CBECI's five-year rule
  int cohort_days = 30;                          // release bins
  int pipeline_lag_days = 120;                   // order to energization
  int power_classes = 5;                         // quantile classes of the power-price distribution
  double power_price_median_usd_per_mwh = 50.0;  // avoidable power price of the median miner
  double power_price_log_sd = 0.5;               // spread of ln power price across miners
  double entry_hurdle = 1.0;                     // orders start at revenue (1 + hurdle) × power cost
  double entry_ramp = 1.0;                       // ... and reach the supply rate `ramp` later
  double supply_share_per_year = 1.0;            // most orders a year, as a share of installed hashrate
  double must_run_share = 0.0;                   // share of installed hashrate that runs at any hashprice
  double ai_exit_share_per_year = 0.0;           // installed hashrate leaving for AI/HPC a year ...
  DayNumber ai_exit_start_day = 0;               // ... from this day on
  double sigma_per_day = 0.0;                    // sd of the daily log shock of the fleet's size
  double fleet_growth_annual = 0.5;              // age profile of a starting fleet (start_fleet)
};

/// MWh a PH/s draws in a day per J/TH of efficiency: 24 h × 1000 TH/PH × 1 W per TH/s per J/TH, in MW.
inline constexpr double kMwhPerPhDayPerJPerTh = static_cast<double>(kHoursPerDay) * kThPerPh / kWattsPerMegawatt;

/// Power cost of a machine of `j_per_th` at `usd_per_mwh` with `overhead`, USD per PH/s per day.
[[nodiscard]] inline double power_cost_usd_per_ph_day(double j_per_th, double overhead, double usd_per_mwh) {
  return kMwhPerPhDayPerJPerTh * j_per_th * overhead * usd_per_mwh;
}

/// The least efficient machine (J/TH) that covers its power cost at `hashprice_usd_per_ph_day`.
[[nodiscard]] inline double breakeven_j_per_th(double hashprice_usd_per_ph_day, double overhead, double usd_per_mwh) {
  return hashprice_usd_per_ph_day / (kMwhPerPhDayPerJPerTh * overhead * usd_per_mwh);
}

/// A path's fleet: plain fixed-size values, copied per path, changed only by step_fleet.
/// Installed TH/s = exp(log_scale) × base TH/s; the base released up to a point in time is
/// `cumulative`, piecewise linear in the release position (bins of cohort_days from the model's origin).
struct FleetState {
  std::array<double, kFleetBins> cumulative_ths{};        // base TH/s released up to the end of bin b, slot b % kFleetBins
  std::int64_t top_bin = 0;                               // the newest bin with releases
  std::array<double, kMaxPipelineDays> pipeline_ths{};   // orders arriving on day d, slot (d − origin) % lag
  double log_scale = 0;
};

/// One day of a fleet.
struct FleetDay {
  double running_ths = 0;    // hashrate on the network after the update
  double installed_ths = 0;  // running + switched off
  double arrived_ths = 0;    // energized today
  double ordered_ths = 0;    // ordered today (arrives after the lag)
};

/// What the daily step needs, computed once from the parameters; `origin_day` numbers the release
/// bins and must lie at least max_age_days + 2 · cohort_days before any day stepped.
class MarginHashrateModel {
 public:
  MarginHashrateModel() = default;
  /// Throws ParameterError naming the parameter out of its domain.
  MarginHashrateModel(const MarginHashrateParams& params, DayNumber origin_day);

  [[nodiscard]] const MarginHashrateParams& params() const { return params_; }
  [[nodiscard]] DayNumber origin_day() const { return origin_; }
  /// Base TH/s running at `hashprice` of `fleet` on `day` (no scale), and the base installed.
  [[nodiscard]] double running_base_ths(const FleetState& fleet, DayNumber day, double hashprice_usd_per_ph_day) const;
  [[nodiscard]] double installed_base_ths(const FleetState& fleet, DayNumber day) const;
  /// Orders of a day as a share of installed hashrate (before supply_share_per_year/365).
  [[nodiscard]] double entry_share(DayNumber day, double hashprice_usd_per_ph_day) const;
  /// The same three from ln(hashprice) and the base installed, which the daily step computes once for
  /// all of them (equal to the bit to the functions above).
  [[nodiscard]] double running_base_ths_of_log(const FleetState& fleet, DayNumber day, double log_hashprice,
                                               double installed_base_ths) const;
  [[nodiscard]] double entry_share_of_log(DayNumber day, double log_hashprice) const;
  /// Adds `base_ths` released on `release_day` (the newest release so far, or in its bin).
  void install(FleetState& fleet, DayNumber release_day, double base_ths) const;
  /// The pipeline slot of orders arriving on `day`.
  [[nodiscard]] std::size_t pipeline_slot(DayNumber day) const;

 private:
  [[nodiscard]] double cumulative_at(const FleetState& fleet, double position) const;
  [[nodiscard]] double cumulative_end(const FleetState& fleet, std::int64_t bin) const;
  [[nodiscard]] double position_of(DayNumber day) const;

  MarginHashrateParams params_;
  DayNumber origin_ = 0;
  int classes_ = 1;
  double class_weight_ = 1;
  // Release position x (in bins from origin) at and after which class k runs at hashprice h:
  // x_k = class_offset_[k] − position_per_log_hashprice_ · ln h (δ > 0); δ = 0: all or none.
  std::array<double, kMaxPowerClasses> class_offset_{};
  std::array<double, kMaxPowerClasses> log_breakeven_factor_{};  // ln(24e-3 · overhead · p_k)
  double position_per_log_hashprice_ = 0;
  double log_frontier_cost_at_origin_ = 0;  // ln of a frontier machine's power cost at the median price, on origin
  double log_frontier_decline_per_day_ = 0;
  // ln(revenue / frontier cost) below which the entry share is certainly 0 and above which it is
  // certainly 1 (entry_share_of_log returns those without its exp); ∓inf where no margin is safe.
  double entry_zero_below_log_ = -std::numeric_limits<double>::infinity();
  double entry_full_above_log_ = std::numeric_limits<double>::infinity();
};

/// A fleet on `day` running `running_ths` at `hashprice_usd_per_ph_day`: releases over the
/// max_age_days before the last pipeline_lag_days, weighted ∝ exp(fleet_growth_annual · (release − day)/365)
/// (a fleet that grew at that rate), scaled so that the part running at the hashprice is `running_ths`;
/// the pipeline holds the orders of the last pipeline_lag_days at the day's margin. Throws
/// ParameterError ("hashprice") when nothing would run at that hashprice.
[[nodiscard]] FleetState start_fleet(const MarginHashrateModel& model, DayNumber day, double running_ths,
                                     double hashprice_usd_per_ph_day);

/// One day (`day` after the last one stepped) at the day's hashprice and shock z: arrivals, shock and
/// AI/HPC exits, retirement, shutdowns, orders (the steps above). Pure; allocates nothing.
FleetDay step_fleet(const MarginHashrateModel& model, FleetState& fleet, DayNumber day,
                    double hashprice_usd_per_ph_day, double z);
/// step_fleet from ln(hashprice), for a caller that steps the same hashprices many times (a fit's
/// replays of one history, which take their logs once): the bits of step_fleet at a hashprice
/// whose std::log is `log_hashprice_usd_per_ph_day`.
FleetDay step_fleet_of_log(const MarginHashrateModel& model, FleetState& fleet, DayNumber day,
                           double log_hashprice_usd_per_ph_day, double z);

}  // namespace hashpivot::network
