#include "hashpivot/market/mle.hpp"

#include <Eigen/Dense>
#include <nlopt.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace hashpivot::market {
namespace {

constexpr double kRejected = -1e300;
// The numerical Hessian's steps: a relative step of kRelativeStep (of at least kMinScale in
// absolute size), shrunk to stay inside the bounds but never below kMinStep.
constexpr double kRelativeStep = 1e-4;
constexpr double kMinScale = 1e-3;
constexpr double kMinStep = 1e-12;

double safe(const LogLikelihood& f, std::span<const double> theta) {
  const double value = f(theta);
  return std::isfinite(value) ? value : kRejected;
}

double run(nlopt::algorithm algorithm, const LogLikelihood& f, std::vector<double>& theta,
           const std::vector<double>& lower, const std::vector<double>& upper, const MleOptions& options, bool& ok) {
  nlopt::opt opt(algorithm, static_cast<unsigned>(theta.size()));
  opt.set_lower_bounds(lower);
  opt.set_upper_bounds(upper);
  opt.set_max_objective(
      [](const std::vector<double>& x, std::vector<double>&, void* data) {
        return safe(*static_cast<const LogLikelihood*>(data), x);
      },
      const_cast<LogLikelihood*>(&f));
  opt.set_xtol_rel(options.xtol_rel);
  opt.set_ftol_abs(1e-10);
  opt.set_maxeval(options.max_evaluations);
  double best = kRejected;
  try {
    const nlopt::result result = opt.optimize(theta, best);
    ok = ok && result > 0;
  } catch (const std::exception&) {
    ok = false;  // NLopt throws on roundoff-limited stops; keep the best point it reached
    best = safe(f, theta);
  }
  return best;
}

}  // namespace

std::vector<double> standard_errors(const LogLikelihood& f, std::span<const double> theta_in,
                                    const std::vector<double>& lower, const std::vector<double>& upper) {
  const std::size_t n = theta_in.size();
  std::vector<double> theta(theta_in.begin(), theta_in.end());
  std::vector<double> step(n);
  for (std::size_t i = 0; i < n; ++i) {
    step[i] = kRelativeStep * std::max(std::abs(theta[i]), kMinScale);
    // Stay inside the box so the likelihood is defined at every probe.
    step[i] = std::min({step[i], std::max((theta[i] - lower[i]) / 2, kMinStep), std::max((upper[i] - theta[i]) / 2, kMinStep)});
  }
  auto at = [&](std::size_t i, double di, std::size_t j, double dj) {
    std::vector<double> x = theta;
    x[i] += di;
    x[j] += dj;
    return f(x);
  };
  Eigen::MatrixXd hessian(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i; j < n; ++j) {
      const double h = (at(i, step[i], j, step[j]) - at(i, step[i], j, -step[j]) - at(i, -step[i], j, step[j]) +
                        at(i, -step[i], j, -step[j])) /
                       (4 * step[i] * step[j]);
      hessian(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = h;
      hessian(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(i)) = h;
    }
  const Eigen::MatrixXd information = -hessian;
  std::vector<double> se(n, std::numeric_limits<double>::quiet_NaN());
  const Eigen::LLT<Eigen::MatrixXd> llt(information);
  if (llt.info() != Eigen::Success || !information.allFinite()) return se;
  const Eigen::MatrixXd covariance = llt.solve(Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n)));
  for (std::size_t i = 0; i < n; ++i) {
    const double v = covariance(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i));
    if (v > 0) se[i] = std::sqrt(v);
  }
  return se;
}

MleResult maximize_likelihood(const LogLikelihood& f, std::vector<double> start, const std::vector<double>& lower,
                              const std::vector<double>& upper, const MleOptions& options) {
  bool ok = true;
  run(nlopt::LN_BOBYQA, f, start, lower, upper, options, ok);
  bool polish_ok = true;
  const double best = run(nlopt::LN_NELDERMEAD, f, start, lower, upper, options, polish_ok);
  std::vector<double> se = options.standard_errors ? standard_errors(f, start, lower, upper)
                                                   : std::vector<double>(start.size(), std::numeric_limits<double>::quiet_NaN());
  return {std::move(start), std::move(se), best, ok || polish_ok};
}

}  // namespace hashpivot::market
