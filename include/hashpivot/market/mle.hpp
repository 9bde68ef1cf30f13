#pragma once
// Maximum likelihood with standard errors: a derivative-free search (NLopt, BOBYQA then a
// Nelder–Mead polish) inside box bounds, and standard errors from the inverse of the observed
// information, the negative Hessian of the log-likelihood at the optimum by central differences.

#include <functional>
#include <span>
#include <vector>

namespace hashpivot::market {

using LogLikelihood = std::function<double(std::span<const double> theta)>;

struct MleResult {
  std::vector<double> theta;
  std::vector<double> se;      // NaN where the information matrix is not positive definite
  double log_likelihood;
  bool converged;
};

/// How far the search goes: each stage (BOBYQA, then the Nelder–Mead polish) stops after
/// `max_evaluations` or when a step changes no parameter by more than `xtol_rel` of its size.
/// `standard_errors`: whether to compute them (2n(n+1) more evaluations for n parameters); a fit
/// whose SEs come from elsewhere (a bootstrap) turns it off, and MleResult::se is then all NaN.
struct MleOptions {
  int max_evaluations = 20000;
  double xtol_rel = 1e-10;
  bool standard_errors = true;
};

/// Maximizes `log_likelihood` from `start` within [lower, upper] (same sizes; start inside).
/// A non-finite log-likelihood is treated as -infinity (the point is rejected).
[[nodiscard]] MleResult maximize_likelihood(const LogLikelihood& log_likelihood, std::vector<double> start,
                                            const std::vector<double>& lower, const std::vector<double>& upper,
                                            const MleOptions& options = {});

/// Standard errors from the observed information at `theta` (exposed for closed-form fits too).
[[nodiscard]] std::vector<double> standard_errors(const LogLikelihood& log_likelihood, std::span<const double> theta,
                                                  const std::vector<double>& lower, const std::vector<double>& upper);

}  // namespace hashpivot::market
