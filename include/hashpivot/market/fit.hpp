#pragma once
// What a calibration reports: each process's fitted parameters with standard errors, and lines of
// goodness of fit that compare the fitted model with the history it was fitted on.
// `hashpivot calibrate` prints, serializes (JSON, TOML) and ships these.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hashpivot::market {

struct Estimate {
  std::string name;   // the key in JSON/TOML, units in the name: "mu_annual", "sigma_annual", "kappa_per_day"
  double value;
  double se;          // standard error; NaN where the method gives none
};

struct GoodnessOfFit {
  std::string name;        // what is compared, e.g. "volatility of daily log returns"
  double model;            // the fitted model's value (closed form or simulated)
  double history;          // the same statistic on the history
  std::string note;        // how `model` was obtained, e.g. "simulated, 200 paths"
};

/// How much a fit reports: everything, or the parameters alone (their SEs NaN, `fit` empty) for a
/// caller that only runs the model it fits: forecast-check refits every model at each origin, and
/// the SEs (a Hessian's evaluations) and the fees' simulated goodness of fit were a fifth of its time.
enum class FitDetail : std::uint8_t { kFull, kEstimates };

struct FitReport {
  std::string factor;      // "btc_price", "fees", "hashrate", "energy", "correlation", ...
  std::string model;       // "gbm", "jump_diffusion", "regime_switching", "log_ou_spikes", ...
  std::string method;      // "maximum likelihood", "OLS on AR(1)", ...
  int observations = 0;
  double log_likelihood;   // NaN where not a likelihood method
  std::vector<Estimate> parameters;
  std::vector<GoodnessOfFit> fit;
};

/// The estimate named `name`; throws ParameterError naming the parameter (its problem names the report).
[[nodiscard]] const Estimate& find_estimate(const FitReport& report, std::string_view name);
/// find_estimate(report, name).value
[[nodiscard]] double report_parameter(const FitReport& report, std::string_view name);

}  // namespace hashpivot::market
