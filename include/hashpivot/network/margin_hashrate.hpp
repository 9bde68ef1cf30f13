#pragma once
// The margin-driven network hashrate (docs/model.md §2, model 2): the network's fleet as vintages
// (cohorts of machines by release date, each with one efficiency in J/TH), updated once a day:
//
//   1. machines ordered `pipeline_lag_days` ago arrive (orders → shipping → energization);
//   2. cohorts more than `max_age_days` past release retire for good (CBECI: 5 years);
//   3. hashrate that other miners convert to AI/HPC that day leaves (a schedule), pro rata over the
//      running cohorts;
//   4. each cohort runs only while its power cost is below its revenue (CBECI's profitability
//      threshold): runs iff  24·10^-3 · e · overhead · electricity_usd_per_mwh <= hashprice_usd_per_ph_day
//      (e J/TH = kW per PH/s; 24 h; MWh); unprofitable cohorts are switched off (they stay installed
//      and restart when profitable again, until they age out);
//   5. new machines (the efficiency frontier of the day) are ordered when the newest generation is
//      profitable with a hurdle that stands for capital cost:
//        ratio  = hashprice / power cost of a frontier machine
//        orders = supply_ehs_per_day · clamp((ratio − 1 − entry_hurdle) / entry_ramp, 0, 1)  EH/s per day,
//      i.e. limited by the ASIC supply rate; they arrive `pipeline_lag_days` later.
// The efficiency frontier improves exponentially: e(t) = e_ref · exp(−decline · (t − t_ref)/365),
// fitted to the CBECI hardware list (fit_efficiency_frontier).
//
// Sources and assumptions of the defaults (MarginHashrateParams::defaults):
//   power_overhead 1.1            CBECI best guess (lower 1.01, upper 1.2), docs/model.md §2 — sourced
//   max_age_days 5·365            CBECI rule, docs/model.md §2 — sourced
//   electricity 50 USD/MWh        CBECI's default 0.05 USD/kWh — ASSUMPTION (not in the data set)
//   pipeline_lag_days 120         "lags months" (docs/model.md §2); 4 months chosen — ASSUMPTION
//   supply_ehs_per_day 1.0        ASIC supply cap ≈ 365 EH/s a year — ASSUMPTION
//   entry_hurdle 1.0, ramp 1.0    orders start when revenue is twice the power cost, full supply at
//                                 three times — ASSUMPTION standing for capex payback
//   cohort_days 30                one vintage per month — modelling choice
//   frontier                      fitted to CBECI's list (data/network), extrapolated — FITTED
//
// A value type: vectors are sized once at construction; step() allocates nothing and its result
// depends only on the state and its inputs (no randomness, no globals).

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/core/units.hpp"

namespace hashpivot::network {

/// e(day) = j_per_th_at_reference · exp(−log_decline_per_year · (day − reference_day) / 365).
/// The defaults are fit_efficiency_frontier(CBECI list, kEnvelope, from 2016-06-01): 31.0 J/TH on
/// 2020-05-01, −0.323 ± 0.050 a year (9 models). Over all 84 models: −0.447 ± 0.027; over the whole
/// envelope since 2014: −0.519 ± 0.050. Out of sample the fit is optimistic: it gives about 9.5 J/TH
/// for 2024, when the S21 (17.5 J/TH) and S21 XP (13.5 J/TH) were the best (docs/model.md §4).
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

/// Fits ln(J/TH) = a − decline · years by OLS on the CBECI hardware list (columns `release_date`,
/// `efficiency_j_per_th`). Rows above 1000 J/TH (CBECI's CPU, GPU, FPGA and early-ASIC placeholders)
/// are left out, and so are models released before `from` when given. The reference day is the last
/// release date used, with the fitted (not the listed) efficiency. Throws InputError on a malformed
/// file, or with fewer than 3 models (naming the file).
[[nodiscard]] EfficiencyFrontier fit_efficiency_frontier(const std::filesystem::path& cbeci_csv, FrontierFit how,
                                                         std::optional<DayNumber> from = std::nullopt);

/// Hashrate other miners convert to AI/HPC on a day (leaves the network for good).
struct AiPivot {
  DayNumber day;
  double hashrate_ehs;
};

struct MarginHashrateParams {
  EfficiencyFrontier frontier;
  double power_overhead = 1.1;
  double electricity_usd_per_mwh = 50.0;
  int max_age_days = 5 * static_cast<int>(kDaysPerYear);  // five years
  int cohort_days = 30;
  int pipeline_lag_days = 120;
  double supply_ehs_per_day = 1.0;
  double entry_hurdle = 1.0;
  double entry_ramp = 1.0;
  std::vector<AiPivot> ai_pivots;  // any order

  /// The defaults above with `frontier`.
  [[nodiscard]] static MarginHashrateParams defaults(const EfficiencyFrontier& frontier);
};

/// MWh a PH/s draws in a day per J/TH of efficiency: 24 h × 1000 TH/PH × 1 W per TH/s per J/TH, in MW.
inline constexpr double kMwhPerPhDayPerJPerTh = static_cast<double>(kHoursPerDay) * kThPerPh / kWattsPerMegawatt;

/// USD per PH/s per day that a machine of `j_per_th` burns at `usd_per_mwh` with `overhead`.
[[nodiscard]] inline double power_cost_usd_per_ph_day(double j_per_th, double overhead, double usd_per_mwh) {
  return kMwhPerPhDayPerJPerTh * j_per_th * overhead * usd_per_mwh;
}

/// The least efficient machine (J/TH) that covers its power cost at `hashprice_usd_per_ph_day`.
[[nodiscard]] inline double breakeven_j_per_th(double hashprice_usd_per_ph_day, double overhead, double usd_per_mwh) {
  return hashprice_usd_per_ph_day / (kMwhPerPhDayPerJPerTh * overhead * usd_per_mwh);
}

struct Vintage {
  DayNumber release_day = 0;   // hashrate-weighted mean release (= order) day of the cohort
  double j_per_th = 0;         // hashrate-weighted mean efficiency
  double installed_ehs = 0;
  bool running = false;        // set by the last step
};

/// An initial fleet of `hashrate_ehs` spread over monthly cohorts released in the `max_age_days`
/// before `day`, with weights ∝ exp(growth_per_year · (release − day)/365) (a fleet that grew at that
/// rate) and the frontier efficiency of each release date. ASSUMPTION of the caller: the growth.
[[nodiscard]] std::vector<Vintage> fleet_grown_at(const MarginHashrateParams& params, DayNumber day,
                                                  double hashrate_ehs, double growth_per_year);

struct MarginDay {
  double hashprice_usd_per_ph_day;
  double electricity_usd_per_mwh = std::numeric_limits<double>::quiet_NaN();  // NaN: the parameter's
};

struct MarginDayReport {
  DayNumber day;
  double running_ehs;      // hashrate on the network after the update
  double installed_ehs;    // running + switched off
  double arrived_ehs;      // joined from the pipeline today
  double retired_ehs;      // aged out today
  double pivoted_ehs;      // left for AI/HPC today
  double ordered_ehs;      // ordered today (arrives after the lag)
  double breakeven_j_per_th;
  double frontier_j_per_th;
};

class MarginHashrate {
 public:
  /// Starts on `start_day` (the first day step() simulates) with `initial` vintages (any release days
  /// within max_age_days before start_day) and an empty pipeline. Preconditions: pipeline_lag_days >= 1,
  /// cohort_days >= 1, max_age_days >= 1; throws ParameterError naming the parameter otherwise.
  MarginHashrate(MarginHashrateParams params, DayNumber start_day, std::span<const Vintage> initial);

  /// One day. No allocation.
  MarginDayReport step(const MarginDay& inputs);

  [[nodiscard]] DayNumber day() const { return day_; }
  [[nodiscard]] double running_ehs() const;
  [[nodiscard]] double installed_ehs() const;
  [[nodiscard]] double pipeline_ehs() const;
  /// The cohort slots (empty slots have installed_ehs == 0).
  [[nodiscard]] std::span<const Vintage> vintages() const { return vintages_; }
  [[nodiscard]] const MarginHashrateParams& params() const { return params_; }

 private:
  [[nodiscard]] std::size_t slot_of(DayNumber release_day) const;
  void install(DayNumber release_day, double j_per_th, double ehs);

  MarginHashrateParams params_;
  DayNumber day_;
  DayNumber origin_;                  // cohort numbering origin
  std::vector<Vintage> vintages_;     // ring over cohort numbers
  std::vector<std::int64_t> cohort_;  // the cohort number in each slot (−1: empty)
  std::vector<double> release_sum_;   // Σ ehs · release day, per slot (for the weighted mean)
  std::vector<double> pipeline_ehs_;  // ring over arrival days
  std::size_t next_pivot_ = 0;        // into params_.ai_pivots (sorted at construction)
};

}  // namespace hashpivot::network
