#include "hashpivot/valuation/lsm.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "hashpivot/core/error.hpp"
#include "hashpivot/firm/options_pricing.hpp"
#include "hashpivot/random/philox.hpp"
#include "hashpivot/stats/statistics.hpp"
#include "hashpivot/valuation/least_squares.hpp"

namespace hashpivot::valuation {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr std::size_t kMaxDims = LsmSample::kMaxStateDims;
constexpr std::size_t kMaxPowers = static_cast<std::size_t>(LsmOptions::kMaxDegree) + 1;
/// More exercise dates than a put's paths could ever be stored for (16 bytes per path and date):
/// a limit that keeps the date count exact in a double and in the random streams' 32-bit steps.
constexpr double kMaxExerciseDates = 1e8;

/// C(K + d, d), or kMaxBasisSize + 1 when it exceeds the limit.
std::size_t basis_size_for(std::size_t dims, int degree) {
  std::size_t size = 1;
  for (std::size_t i = 1; i <= dims; ++i) {
    size = size * (static_cast<std::size_t>(degree) + i) / i;  // exact: C(K+i, i) stays an integer
    if (size > LsmOptions::kMaxBasisSize) return LsmOptions::kMaxBasisSize + 1;
  }
  return size;
}

/// Every exponent vector of total degree ≤ K, in graded order (degree 0, then 1, …), each degree in
/// reverse lexicographic order of the first variable's power: for d = 2, K = 2: 00 10 01 20 11 02.
std::vector<std::uint8_t> make_basis_exponents(std::size_t dims, int degree) {
  std::vector<std::uint8_t> out;
  std::array<int, kMaxDims> e{};
  for (int total = 0; total <= degree; ++total) {
    // Enumerate compositions of `total` into `dims` parts, first part descending.
    auto recurse = [&](auto&& self, std::size_t i, int left) -> void {
      if (i + 1 == dims) {
        e[i] = left;
        for (std::size_t k = 0; k < dims; ++k) out.push_back(static_cast<std::uint8_t>(e[k]));
        return;
      }
      for (int p = left; p >= 0; --p) {
        e[i] = p;
        self(self, i + 1, left - p);
      }
    };
    recurse(recurse, 0, total);
  }
  return out;
}

/// φ_j(z) for every j, into `out` (basis_size values, stride `stride`): products of powers.
inline void evaluate_basis(std::span<const std::uint8_t> exponents, std::size_t dims, int degree,
                           const double* z, double* out, std::size_t stride) {
  std::array<std::array<double, kMaxPowers>, kMaxDims> powers;
  const auto k_max = static_cast<std::size_t>(degree);
  for (std::size_t i = 0; i < dims; ++i) {
    powers[i][0] = 1;
    for (std::size_t k = 1; k <= k_max; ++k) powers[i][k] = powers[i][k - 1] * z[i];
  }
  const std::size_t size = exponents.size() / dims;
  for (std::size_t j = 0; j < size; ++j) {
    double value = 1;
    for (std::size_t i = 0; i < dims; ++i) value *= powers[i][exponents[j * dims + i]];
    out[j * stride] = value;
  }
}

void require_sample_extents(std::size_t paths, std::size_t dates, std::size_t state_dims) {
  require(paths >= 2, "paths", "a sample needs at least 2 paths");
  require(dates >= 1, "exercise_dates", "a sample needs at least 1 exercise date");
  require(state_dims >= 1 && state_dims <= kMaxDims, "state_dims", "must be 1 … 8");
}

/// The arrays' shapes are the constructor's (only code that resizes them breaks them: asserted);
/// the values are the caller's simulation (checked).
void validate_sample(const LsmSample& s) {
  require_sample_extents(s.paths, s.dates, s.state_dims);
  assert(s.times.size() == s.dates && s.discount.size() == s.dates && s.state_now.size() == s.state_dims);
  assert(s.states.size() == s.dates * s.state_dims * s.paths && s.payoffs.size() == s.dates * s.paths);
  for (const double d : s.discount) require(std::isfinite(d) && d > 0, "discount", "factors must be finite and > 0");
  require(!s.antithetic_pairs || s.paths % 2 == 0, "paths", "antithetic pairs need an even number of paths");
  for (const double h : s.payoffs) require(!std::isnan(h), "payoffs", "exercise values must not be NaN");
  if (s.payoff_now) require(std::isfinite(*s.payoff_now), "payoff_now", "must be finite");
}

void validate_contract(const PutContract& put) {
  require(std::isfinite(put.spot) && put.spot > 0, "spot", "must be finite and > 0");
  require(std::isfinite(put.strike) && put.strike > 0, "strike", "must be finite and > 0");
  require(std::isfinite(put.volatility) && put.volatility > 0, "volatility", "must be finite and > 0");
  require(std::isfinite(put.maturity) && put.maturity > 0, "maturity", "must be finite and > 0");
  require(std::isfinite(put.rate), "rate", "must be finite");
}

void require_degree(int degree) {
  require(degree >= 1 && degree <= LsmOptions::kMaxDegree, "degree", "must be 1 … 8");
}

}  // namespace

// Lets lsm.cpp write the policy's arrays while the public interface stays read-only.
struct LsmPolicyAccess {
  static std::span<double> coefficients(LsmPolicy& p, std::size_t date) {
    return {p.coefficients_.data() + date * p.basis_size_, p.basis_size_};
  }
  static std::span<double> centre(LsmPolicy& p, std::size_t date) {
    return {p.centre_.data() + date * p.state_dims_, p.state_dims_};
  }
  static std::span<double> scale(LsmPolicy& p, std::size_t date) {
    return {p.scale_.data() + date * p.state_dims_, p.state_dims_};
  }
  static void set_regressed(LsmPolicy& p, std::size_t date, bool value) { p.regressed_[date] = value ? 1 : 0; }
};

// ---------------------------------------------------------------------------------------------
// LsmSample

LsmSample::LsmSample(std::size_t paths_, std::size_t dates_, std::size_t state_dims_)
    : paths(paths_), dates(dates_), state_dims(state_dims_) {
  require_sample_extents(paths_, dates_, state_dims_);
  times.assign(dates_, 0.0);
  discount.assign(dates_, 1.0);
  states.assign(dates_ * state_dims_ * paths_, 0.0);
  payoffs.assign(dates_ * paths_, 0.0);
  state_now.assign(state_dims_, 0.0);
}

std::span<double> LsmSample::state(std::size_t date, std::size_t dim) {
  assert(date < dates && dim < state_dims);
  return {states.data() + (date * state_dims + dim) * paths, paths};
}
std::span<const double> LsmSample::state(std::size_t date, std::size_t dim) const {
  assert(date < dates && dim < state_dims);
  return {states.data() + (date * state_dims + dim) * paths, paths};
}
std::span<double> LsmSample::payoff(std::size_t date) {
  assert(date < dates);
  return {payoffs.data() + date * paths, paths};
}
std::span<const double> LsmSample::payoff(std::size_t date) const {
  assert(date < dates);
  return {payoffs.data() + date * paths, paths};
}

// ---------------------------------------------------------------------------------------------
// LsmPolicy

LsmPolicy::LsmPolicy(std::size_t dates, std::size_t state_dims, int degree)
    : dates_(dates), state_dims_(state_dims), degree_(degree) {
  require(dates >= 1, "exercise_dates", "a policy needs at least 1 date");
  require(state_dims >= 1 && state_dims <= kMaxDims, "state_dims", "must be 1 … 8");
  require_degree(degree);
  basis_size_ = basis_size_for(state_dims, degree);
  require(basis_size_ <= LsmOptions::kMaxBasisSize, "degree",
          "the basis (C(degree + state_dims, state_dims) functions) exceeds 128; lower the degree");
  exponents_ = make_basis_exponents(state_dims, degree);
  assert(exponents_.size() == basis_size_ * state_dims);
  coefficients_.assign(dates * basis_size_, 0.0);
  centre_.assign(dates * state_dims, 0.0);
  scale_.assign(dates * state_dims, 1.0);
  regressed_.assign(dates, 0);
}

double LsmPolicy::continuation(std::size_t date, std::span<const double> state) const {
  assert(date < dates_ && state.size() == state_dims_);
  if (date + 1 == dates_) return 0;
  if (regressed_[date] == 0) return kInfinity;
  std::array<double, kMaxDims> z;
  const double* mu = centre_.data() + date * state_dims_;
  const double* s = scale_.data() + date * state_dims_;
  for (std::size_t i = 0; i < state_dims_; ++i) z[i] = (state[i] - mu[i]) / s[i];
  const double* beta = coefficients_.data() + date * basis_size_;
  if (state_dims_ == 1) {  // basis 1, z, …, z^K: Horner
    double value = beta[basis_size_ - 1];
    for (std::size_t j = basis_size_ - 1; j-- > 0;) value = value * z[0] + beta[j];
    return value;
  }
  std::array<double, LsmOptions::kMaxBasisSize> phi;
  evaluate_basis(exponents_, state_dims_, degree_, z.data(), phi.data(), 1);
  double value = 0;
  for (std::size_t j = 0; j < basis_size_; ++j) value += beta[j] * phi[j];
  return value;
}

std::span<const double> LsmPolicy::coefficients(std::size_t date) const {
  return {coefficients_.data() + date * basis_size_, basis_size_};
}
std::span<const double> LsmPolicy::centre(std::size_t date) const {
  return {centre_.data() + date * state_dims_, state_dims_};
}
std::span<const double> LsmPolicy::scale(std::size_t date) const {
  return {scale_.data() + date * state_dims_, state_dims_};
}

// ---------------------------------------------------------------------------------------------
// The backward pass, shared by lsm_fit (regress, then decide) and lsm_evaluate (decide only).

namespace {

constexpr std::size_t kBoundaryBins = 4096;

struct BoundaryScratch {
  std::vector<std::uint32_t> exercising;  // [kBoundaryBins] per-bin counts, sized on first use
  std::vector<std::uint32_t> continuing;
};

/// The threshold that best separates exercising from continuing paths at one date (see LsmBoundary).
/// O(paths): a clean split is found from the extremes of each group; otherwise the paths are binned
/// into kBoundaryBins equal bins over their range and the best bin edge is taken.
LsmBoundary estimate_boundary(std::span<const double> x, std::span<const std::uint8_t> exercised,
                              BoundaryScratch& scratch) {
  const std::size_t n = x.size();
  double min_e = kInfinity, max_e = -kInfinity, min_c = kInfinity, max_c = -kInfinity;
  std::size_t count_e = 0;
  for (std::size_t p = 0; p < n; ++p) {
    if (exercised[p] != 0) {
      ++count_e;
      min_e = std::min(min_e, x[p]);
      max_e = std::max(max_e, x[p]);
    } else {
      min_c = std::min(min_c, x[p]);
      max_c = std::max(max_c, x[p]);
    }
  }
  LsmBoundary b;
  if (count_e == 0) return b;  // kNone
  if (count_e == n) {
    b.side = LsmBoundary::Side::kEverywhere;
    return b;
  }
  if (max_e < min_c) {
    b.side = LsmBoundary::Side::kBelow;
    b.state = 0.5 * (max_e + min_c);
    return b;
  }
  if (min_e > max_c) {
    b.side = LsmBoundary::Side::kAbove;
    b.state = 0.5 * (min_e + max_c);
    return b;
  }
  // Not a clean split: the bin edge and side with the fewest misclassified paths.
  const double lo = std::min(min_e, min_c);
  const double hi = std::max(max_e, max_c);
  if (!(hi > lo) || !std::isfinite(hi - lo)) {
    b.side = LsmBoundary::Side::kBelow;
    b.state = lo;
    b.misclassified = static_cast<double>(std::min(count_e, n - count_e)) / static_cast<double>(n);
    return b;
  }
  scratch.exercising.assign(kBoundaryBins, 0);
  scratch.continuing.assign(kBoundaryBins, 0);
  const double per_unit = static_cast<double>(kBoundaryBins) / (hi - lo);
  for (std::size_t p = 0; p < n; ++p) {
    const auto bin = std::min(static_cast<std::size_t>((x[p] - lo) * per_unit), kBoundaryBins - 1);
    ++(exercised[p] != 0 ? scratch.exercising : scratch.continuing)[bin];
  }
  // Threshold at edge k (below it: bins 0 … k−1). Below: errors = continuing below + exercising
  // above; above: the complement, n − that.
  std::size_t continuing_before = 0, exercising_before = 0;
  std::size_t best_errors = n + 1, best_k = 0;
  bool best_below = true;
  for (std::size_t k = 0; k <= kBoundaryBins; ++k) {
    const std::size_t below = continuing_before + (count_e - exercising_before);
    const std::size_t above = n - below;
    if (below < best_errors) {
      best_errors = below;
      best_k = k;
      best_below = true;
    }
    if (above < best_errors) {
      best_errors = above;
      best_k = k;
      best_below = false;
    }
    if (k < kBoundaryBins) {
      exercising_before += scratch.exercising[k];
      continuing_before += scratch.continuing[k];
    }
  }
  b.side = best_below ? LsmBoundary::Side::kBelow : LsmBoundary::Side::kAbove;
  b.state = lo + static_cast<double>(best_k) / per_unit;
  b.misclassified = static_cast<double>(best_errors) / static_cast<double>(n);
  return b;
}

/// The working arrays of one backward pass, allocated once for the whole pass.
struct PassScratch {
  PassScratch(std::size_t paths, std::size_t dates, std::size_t basis, bool fit)
      : cash(paths, 0.0), stop(paths, static_cast<std::uint32_t>(dates)), exercised(paths, 0) {
    if (fit) {
      rows.reserve(paths);
      design.resize(paths * basis);
      rhs.resize(paths);
    }
  }
  std::vector<double> cash;             // C_p, money at the current date
  std::vector<std::uint32_t> stop;      // stopping date
  std::vector<std::uint8_t> exercised;  // decision at the current date
  std::vector<std::size_t> rows;        // in-the-money paths of the date
  std::vector<double> design;           // n_itm × basis, column-major
  std::vector<double> rhs;
  BoundaryScratch boundary;
};

/// The continuation regression of date m (THE ALGORITHM) on its in-the-money paths, into `policy`;
/// a date with fewer than `min_rows` of them is marked unregressed (never exercised).
void regress_date(const LsmSample& s, std::size_t m, std::size_t min_rows, LsmPolicy& policy, PassScratch& w) {
  const std::size_t n_paths = s.paths;
  const std::size_t dims = s.state_dims;
  const std::span<const double> h = s.payoff(m);
  w.rows.clear();
  for (std::size_t p = 0; p < n_paths; ++p)
    if (h[p] > 0) w.rows.push_back(p);
  const std::size_t n = w.rows.size();
  const bool regress = n >= min_rows;
  LsmPolicyAccess::set_regressed(policy, m, regress);
  if (!regress) return;
  const std::span<double> mu = LsmPolicyAccess::centre(policy, m);
  const std::span<double> sd = LsmPolicyAccess::scale(policy, m);
  for (std::size_t i = 0; i < dims; ++i) {
    const std::span<const double> xi = s.state(m, i);
    double sum = 0;
    for (const std::size_t p : w.rows) sum += xi[p];
    const double mean = sum / static_cast<double>(n);
    double ss = 0;
    for (const std::size_t p : w.rows) ss += (xi[p] - mean) * (xi[p] - mean);
    const double sdev = std::sqrt(ss / static_cast<double>(n));
    mu[i] = mean;
    sd[i] = sdev > 0 && std::isfinite(sdev) ? sdev : 1.0;
  }
  std::array<double, kMaxDims> z{};
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t p = w.rows[r];
    for (std::size_t i = 0; i < dims; ++i) z[i] = (s.states[(m * dims + i) * n_paths + p] - mu[i]) / sd[i];
    evaluate_basis(policy.basis_exponents(), dims, policy.degree(), z.data(), w.design.data() + r, n);
    w.rhs[r] = w.cash[p];
  }
  (void)solve_least_squares({w.design.data(), n * policy.basis_size()}, n, {w.rhs.data(), n},
                            LsmPolicyAccess::coefficients(policy, m));
}

/// Decisions at date m: every in-the-money path asks the rule; an exercising path's cash becomes h.
void decide_date(const LsmSample& s, std::size_t m, const LsmPolicy& policy, PassScratch& w) {
  const std::size_t dims = s.state_dims;
  const std::span<const double> h = s.payoff(m);
  std::array<double, kMaxDims> x{};
  const std::span<double> state_span(x.data(), dims);
  for (std::size_t p = 0; p < s.paths; ++p) {
    w.exercised[p] = 0;
    if (!(h[p] > 0)) continue;
    for (std::size_t i = 0; i < dims; ++i) x[i] = s.states[(m * dims + i) * s.paths + p];
    if (policy.exercise(m, state_span, h[p])) {
      w.exercised[p] = 1;
      w.cash[p] = h[p];
      w.stop[p] = static_cast<std::uint32_t>(m);
    }
  }
}

/// The value and its statistics from the cash flows at t0.
void summarize(const LsmSample& s, const PassScratch& w, LsmResult& result) {
  stats::Moments moments;
  if (s.antithetic_pairs)
    for (std::size_t p = 0; p < s.paths; p += 2) moments.add(0.5 * (w.cash[p] + w.cash[p + 1]));
  else
    for (const double c : w.cash) moments.add(c);

  result.paths = s.paths;
  result.continuation = moments.mean();
  result.standard_error = moments.standard_error();
  result.exercise_fraction.assign(s.dates, 0.0);
  for (const std::uint32_t t : w.stop)
    if (t < s.dates) result.exercise_fraction[t] += 1;
  for (double& f : result.exercise_fraction) f /= static_cast<double>(s.paths);
  if (s.payoff_now) {
    result.exercise_now_value = *s.payoff_now;
    result.value_of_waiting = result.continuation - *s.payoff_now;
    result.exercise_now = *s.payoff_now > result.continuation;
  }
  result.value = result.exercise_now ? result.exercise_now_value : result.continuation;
}

LsmResult backward_pass(const LsmSample& s, const LsmOptions& options, LsmPolicy& policy, bool fit) {
  const std::size_t last = s.dates - 1;
  const std::size_t min_rows = std::max(options.min_regression_paths, policy.basis_size() + 1);
  const bool want_boundary = options.estimate_boundary && s.state_dims == 1;
  PassScratch w(s.paths, s.dates, policy.basis_size(), fit);
  LsmResult result;
  if (want_boundary) result.boundary.resize(s.dates);
  for (std::size_t step = 0; step <= last; ++step) {
    const std::size_t m = last - step;
    if (m < last)
      for (double& c : w.cash) c *= s.discount[m + 1];
    if (fit && m < last) regress_date(s, m, min_rows, policy, w);
    decide_date(s, m, policy, w);
    if (want_boundary) result.boundary[m] = estimate_boundary(s.state(m, 0), w.exercised, w.boundary);
  }
  for (double& c : w.cash) c *= s.discount[0];
  summarize(s, w, result);
  return result;
}

}  // namespace

LsmFit lsm_fit(const LsmSample& sample, const LsmOptions& options) {
  validate_sample(sample);
  require_degree(options.degree);
  LsmFit fit{LsmPolicy(sample.dates, sample.state_dims, options.degree), {}};
  require(sample.paths > fit.policy.basis_size(), "paths", "fewer paths than basis functions; lower the degree");
  fit.in_sample = backward_pass(sample, options, fit.policy, true);
  return fit;
}

LsmResult lsm_evaluate(const LsmPolicy& policy, const LsmSample& sample, const LsmOptions& options) {
  validate_sample(sample);
  assert(policy.dates() == sample.dates && policy.state_dims() == sample.state_dims);  // one problem's policy
  LsmPolicy copy = policy;  // backward_pass takes a mutable policy; evaluation never writes it
  return backward_pass(sample, options, copy, false);
}

// ---------------------------------------------------------------------------------------------
// The American put.

double black_scholes_put(const PutContract& put) {
  validate_contract(put);
  return firm::black_scholes_put_usd({put.spot, put.strike, put.rate, put.volatility, put.maturity});
}

double binomial_put(const PutContract& put, std::size_t steps, ExerciseStyle style, std::size_t bermudan_dates) {
  validate_contract(put);
  require(steps >= 1, "tree_steps", "a tree needs at least 1 step");
  std::size_t every = 1;
  if (style == ExerciseStyle::kBermudan) {
    require(bermudan_dates >= 1 && steps % bermudan_dates == 0, "tree_steps", "must be a multiple of the Bermudan dates");
    every = steps / bermudan_dates;
  }
  const double dt = put.maturity / static_cast<double>(steps);
  const double u = std::exp(put.volatility * std::sqrt(dt));
  const double d = 1 / u;
  const double growth = std::exp(put.rate * dt);
  const double q = (growth - d) / (u - d);
  require(q > 0 && q < 1, "tree_steps", "the tree's risk-neutral probability is outside (0, 1): use more steps");
  const double discount = 1 / growth;
  const double up = discount * q;
  const double down = discount * (1 - q);
  const double u2 = u * u;

  std::vector<double> v(steps + 1);
  {
    double s = put.spot * std::pow(d, static_cast<double>(steps));
    for (std::size_t j = 0; j <= steps; ++j, s *= u2) v[j] = std::max(put.strike - s, 0.0);
  }
  for (std::size_t level = steps; level-- > 0;) {
    const bool exercisable = style == ExerciseStyle::kAmerican ||
                             (style == ExerciseStyle::kBermudan && level % every == 0);
    if (exercisable) {
      double s = put.spot * std::pow(d, static_cast<double>(level));
      for (std::size_t j = 0; j <= level; ++j, s *= u2)
        v[j] = std::max(up * v[j + 1] + down * v[j], put.strike - s);
    } else {
      for (std::size_t j = 0; j <= level; ++j) v[j] = up * v[j + 1] + down * v[j];
    }
  }
  return v[0];
}

double american_put_binomial(const PutContract& put, std::size_t steps) {
  return 0.5 * (binomial_put(put, steps) + binomial_put(put, steps + 1));
}

std::size_t put_exercise_dates(const PutContract& put, double per_year) {
  require(std::isfinite(per_year) && per_year > 0, "exercise_dates_per_year", "must be > 0");
  const double m = std::round(put.maturity * per_year);
  require(m < kMaxExerciseDates, "exercise_dates_per_year", "too many exercise dates");
  return m < 1 ? 1 : static_cast<std::size_t>(m);
}

namespace {

/// The GBM step of every put path, shared by the stored samples and the forward pricing pass so
/// that both see bit-identical prices.
struct PutDynamics {
  double drift;     // (r − σ²/2) Δt
  double diffusion; // σ √Δt
  random::CounterRng rng;
  std::uint32_t block;

  /// Z for (draw index q, date m): normal (m mod 2) of the draw at step ⌊m/2⌋; `pair` caches the draw.
  double normal(std::uint32_t q, std::size_t m, std::array<double, 2>& pair) const {
    if (m % 2 == 0)
      pair = rng.normals({random::Stream::kTest, q, static_cast<std::uint32_t>(m / 2), block});
    return pair[m % 2];
  }
  [[nodiscard]] double step(double s, double z) const { return s * std::exp(drift + diffusion * z); }
};

PutDynamics put_dynamics(const PutContract& put, const AmericanPutLsmOptions& options, std::size_t dates, PutPathSet set) {
  const double dt = put.maturity / static_cast<double>(dates);
  return {(put.rate - 0.5 * put.volatility * put.volatility) * dt, put.volatility * std::sqrt(dt),
          random::CounterRng(options.seed), static_cast<std::uint32_t>(set)};
}

void validate_put_options(const AmericanPutLsmOptions& options, std::size_t paths, std::size_t dates) {
  require(paths >= 2, "paths", "at least 2 paths");
  require(!options.antithetic || paths % 2 == 0, "paths", "antithetic variates need an even number of paths");
  require(paths <= (std::size_t{1} << 32), "paths", "at most 2^32 paths");
  require(dates / 2 < (std::size_t{1} << 32), "exercise_dates_per_year", "too many exercise dates");
}

}  // namespace

LsmSample simulate_put_sample(const PutContract& put, const AmericanPutLsmOptions& options, std::size_t paths,
                              PutPathSet set) {
  validate_contract(put);
  const std::size_t dates = put_exercise_dates(put, options.exercise_dates_per_year);
  validate_put_options(options, paths, dates);
  LsmSample s(paths, dates, 1);
  const double dt = put.maturity / static_cast<double>(dates);
  for (std::size_t m = 0; m < dates; ++m) {
    s.times[m] = static_cast<double>(m + 1) * dt;
    s.discount[m] = std::exp(-put.rate * dt);
  }
  s.state_now[0] = put.spot;
  s.payoff_now = std::max(put.strike - put.spot, 0.0);
  s.antithetic_pairs = options.antithetic;

  const PutDynamics dyn = put_dynamics(put, options, dates, set);
  const std::size_t copies = options.antithetic ? 2 : 1;
  for (std::size_t q = 0; q < paths / copies; ++q) {
    std::array<double, 2> pair{};
    std::array<double, 2> spot{put.spot, put.spot};
    for (std::size_t m = 0; m < dates; ++m) {
      const double z = dyn.normal(static_cast<std::uint32_t>(q), m, pair);
      for (std::size_t c = 0; c < copies; ++c) {
        const std::size_t p = q * copies + c;
        spot[c] = dyn.step(spot[c], c == 0 ? z : -z);
        s.states[m * paths + p] = spot[c];
        s.payoffs[m * paths + p] = std::max(put.strike - spot[c], 0.0);
      }
    }
  }
  return s;
}

AmericanPutLsm lsm_american_put(const PutContract& put, const AmericanPutLsmOptions& options) {
  validate_contract(put);
  const std::size_t copies = options.antithetic ? 2 : 1;
  const auto round_up = [copies](std::size_t n) { return (n + copies - 1) / copies * copies; };
  const std::size_t fit_paths = round_up(options.fit_paths);
  const std::size_t paths = round_up(options.paths);
  const std::size_t dates = put_exercise_dates(put, options.exercise_dates_per_year);
  validate_put_options(options, paths, dates);

  AmericanPutLsm out;
  out.exercise_dates = dates;
  {
    const LsmSample fitting = simulate_put_sample(put, options, fit_paths, PutPathSet::kFitting);
    LsmFit fit = lsm_fit(fitting, options.lsm);
    out.policy = std::move(fit.policy);
    out.in_sample = std::move(fit.in_sample);
  }

  // Pricing: each path forward until the rule stops it; nothing stored but per-date counts.
  const double dt = put.maturity / static_cast<double>(dates);
  std::vector<double> discount_to_now(dates);
  for (std::size_t m = 0; m < dates; ++m) discount_to_now[m] = std::exp(-put.rate * dt * static_cast<double>(m + 1));
  std::vector<std::uint64_t> stops(dates, 0);
  const PutDynamics dyn = put_dynamics(put, options, dates, PutPathSet::kPricing);
  stats::Moments moments;
  for (std::size_t q = 0; q < paths / copies; ++q) {
    std::array<double, 2> pair{};
    std::array<double, 2> spot{put.spot, put.spot};
    std::array<double, 2> cash{0, 0};
    std::array<bool, 2> alive{true, copies == 2};
    for (std::size_t m = 0; m < dates && (alive[0] || alive[1]); ++m) {
      const double z = dyn.normal(static_cast<std::uint32_t>(q), m, pair);
      for (std::size_t c = 0; c < copies; ++c) {
        if (!alive[c]) continue;
        spot[c] = dyn.step(spot[c], c == 0 ? z : -z);
        const double h = std::max(put.strike - spot[c], 0.0);
        if (out.policy.exercise(m, std::span<const double>(&spot[c], 1), h)) {
          cash[c] = h * discount_to_now[m];
          alive[c] = false;
          ++stops[m];
        }
      }
    }
    moments.add(copies == 2 ? 0.5 * (cash[0] + cash[1]) : cash[0]);
  }
  LsmResult& r = out.value;
  r.paths = paths;
  r.continuation = moments.mean();
  r.standard_error = moments.standard_error();
  r.exercise_fraction.resize(dates);
  for (std::size_t m = 0; m < dates; ++m) r.exercise_fraction[m] = static_cast<double>(stops[m]) / static_cast<double>(paths);
  r.exercise_now_value = std::max(put.strike - put.spot, 0.0);
  r.value_of_waiting = r.continuation - r.exercise_now_value;
  r.exercise_now = r.exercise_now_value > r.continuation;
  r.value = r.exercise_now ? r.exercise_now_value : r.continuation;
  return out;
}

}  // namespace hashpivot::valuation
