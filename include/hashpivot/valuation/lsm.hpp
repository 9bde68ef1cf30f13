#pragma once
// Least-squares Monte Carlo for optimal stopping (Longstaff & Schwartz 2001, "Valuing American
// Options by Simulation: A Simple Least-Squares Approach", Review of Financial Studies 14(1),
// 113–147), generic over the simulated state, and its validation case, the American put.
//
// THE PROBLEM. A holder may exercise once, at t0 = 0 or at one of M exercise dates t_1 < … < t_M,
// and then receives the exercise value h_m(X_m) (money at t_m); not exercising by t_M is worth 0.
// X_m is the simulated state (one or more variables) at t_m. The value is
//     V_0 = max( h_0(X_0),  sup_τ E[ D(0, τ) · h_τ(X_τ) ] ),   D(0, t_m) = d_1 · d_2 ⋯ d_m,
// where d_m is the per-period discount factor from t_m back to t_{m−1} (for a constant rate r,
// d_m = e^{−r (t_m − t_{m−1})}). A real option on the miner is the same problem: h_m is the value
// of converting MW to AI/HPC (or of shutting down) at t_m minus the value of carrying on as is, both
// in the same money; the market state is whatever drives it (hashprice, power price, lease rate).
// Switching back and forth (shut down, then restart) is a multiple-stopping problem: it needs the
// regime as a state and one regression per regime, which this single-stopping engine does not do.
//
// THE ALGORITHM (backward induction, as Longstaff & Schwartz):
//   C_p ← max(h_M(X_{M,p}), 0)                       cash flow of path p, money at t_M
//   for m = M−1 … 1:
//     C_p ← d_{m+1} · C_p                             now money at t_m
//     I_m = { p : h_m(X_{m,p}) > 0 }                  in-the-money paths only (as LS do)
//     β_m = argmin_β Σ_{p ∈ I_m} (C_p − β·φ(z_{m,p}))²  the continuation regression
//     for p ∈ I_m: if h_m(X_{m,p}) > β_m·φ(z_{m,p}): C_p ← h_m(X_{m,p})   (exercise at t_m)
//   C_p ← d_1 · C_p;   continuation at t0 = mean_p C_p;   V_0 = max(h_0, continuation).
// (t0 needs no regression: every path starts from the same X_0.)
// The realized cash flows C_p are discounted along the path, never the regression's fitted values,
// so with an independent set of paths (lsm_evaluate) the estimate is that of a genuine stopping rule:
// low-biased, E[estimate] ≤ V_0. On the paths it was fitted on (lsm_fit) the rule has seen the
// future of those paths and the estimate is Longstaff & Schwartz's own, biased either way by a
// small amount.
//
// THE BASIS. φ is every monomial of total degree ≤ K in the standardized state
//     z_{m,p,i} = (X_{m,p,i} − μ_{m,i}) / s_{m,i},
// μ and s the mean and standard deviation of variable i over the in-the-money paths of date m
// (s = 1 when that is 0): for one variable, {1, z, z², …, z^K}; for two and K = 2, {1, z₁, z₂, z₁²,
// z₁z₂, z₂²}; C(K + d, d) functions in all. Standardizing keeps the columns of comparable size, so
// the design matrix is well conditioned for the degrees used here (K ≤ 5), and the fitted function
// is the same as with raw powers of X (the same span). Longstaff & Schwartz use weighted Laguerre
// polynomials (e^{−X/2} times a polynomial) and report that the values are robust to the choice of
// basis; the default, K = 3, has their number of functions (four with the constant).
//
// THE SOLVE. least_squares.hpp's rank-revealing QR (Householder with column pivoting), in place on
// a design matrix allocated once per call: pivots below 10⁻¹⁰ of the largest count as zero and the
// basic solution is used, so a rank-deficient date (a variable repeated, too few distinct states)
// still gets the least-squares fit.
//
// Errors: a value the caller chose that is out of its domain (paths, exercise dates, degree, a
// contract's spot, strike, volatility, maturity or rate, tree steps) throws ParameterError naming
// it (core/error.hpp); arrays of the wrong shape, or a policy valued on another problem's sample,
// are bugs (asserted).
//
// Units: states and exercise values in whatever units the caller simulates; values are money at t0
// in the exercise values' currency; times in years (reported only).

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

namespace hashpivot::valuation {

/// Simulated paths of a stopping problem, structure of arrays, sized once at construction.
/// Date m = 0 … M−1 is the (m+1)-th exercise date after t0 (t0 itself is `state_now`/`payoff_now`).
struct LsmSample {
  /// All arrays zero-filled; `times` and `discount` must then be set. Throws ParameterError unless
  /// paths ≥ 2, dates ≥ 1 and 1 ≤ state_dims ≤ kMaxStateDims.
  LsmSample(std::size_t paths, std::size_t dates, std::size_t state_dims);

  static constexpr std::size_t kMaxStateDims = 8;

  std::size_t paths;
  std::size_t dates;
  std::size_t state_dims;
  /// [dates] years from t0 to each exercise date, increasing (reported with the boundary).
  std::vector<double> times;
  /// [dates] d_m: value at the previous date (t0 for m = 0) of 1 paid at date m, in (0, ∞).
  std::vector<double> discount;
  /// [dates][state_dims][paths]: X_{m,p,i} at states[(m·state_dims + i)·paths + p].
  std::vector<double> states;
  /// [dates][paths]: h_m(X_{m,p}), the exercise value, money at date m; a path is in the money
  /// (regressed on, allowed to exercise) when it is > 0.
  std::vector<double> payoffs;
  /// [state_dims] the state at t0, common to every path.
  std::vector<double> state_now;
  /// h_0: the value of exercising at t0; std::nullopt when exercise at t0 is not allowed.
  std::optional<double> payoff_now;
  /// Paths 2k and 2k+1 are an antithetic pair: the standard error is then computed over the pair
  /// means (the paths of a pair are not independent). Requires an even number of paths.
  bool antithetic_pairs = false;

  [[nodiscard]] std::span<double> state(std::size_t date, std::size_t dim);
  [[nodiscard]] std::span<const double> state(std::size_t date, std::size_t dim) const;
  [[nodiscard]] std::span<double> payoff(std::size_t date);
  [[nodiscard]] std::span<const double> payoff(std::size_t date) const;
};

struct LsmOptions {
  /// K: total degree of the polynomial basis, 1 … kMaxDegree.
  int degree = 3;
  /// A date is regressed only when it has at least max(this, basis size + 1) in-the-money paths;
  /// otherwise the rule never exercises there (a conservative choice: it keeps the estimate low-biased).
  std::size_t min_regression_paths = 0;
  /// study::Estimate the exercise boundary per date (one state variable only; see LsmBoundary).
  bool estimate_boundary = true;

  static constexpr int kMaxDegree = 8;
  /// The largest basis accepted, C(K + d, d).
  static constexpr std::size_t kMaxBasisSize = 128;
};

/// The exercise rule found by lsm_fit: at date m, exercise when h_m(X) > 0 and h_m(X) > ĉ_m(X),
/// with ĉ_m(X) = β_m · φ((X − μ_m) / s_m); at the last date, whenever h_M(X) > 0.
class LsmPolicy {
 public:
  LsmPolicy() = default;
  LsmPolicy(std::size_t dates, std::size_t state_dims, int degree);

  [[nodiscard]] std::size_t dates() const { return dates_; }
  [[nodiscard]] std::size_t state_dims() const { return state_dims_; }
  [[nodiscard]] int degree() const { return degree_; }
  [[nodiscard]] std::size_t basis_size() const { return basis_size_; }
  /// Whether date m has a regression (false: too few in-the-money paths, never exercise there;
  /// the last date needs none).
  [[nodiscard]] bool regressed(std::size_t date) const { return regressed_[date] != 0; }
  /// ĉ_m(X): the estimated continuation value at date m (money at date m); +∞ at a date without a
  /// regression, 0 at the last date. `state` has state_dims values. Does not allocate.
  [[nodiscard]] double continuation(std::size_t date, std::span<const double> state) const;
  /// The rule: h > 0 and h > ĉ_m(X).
  [[nodiscard]] bool exercise(std::size_t date, std::span<const double> state, double payoff) const {
    return payoff > 0 && payoff > continuation(date, state);
  }
  /// β_m (basis_size values, in the order of basis_exponents), μ_m and s_m (state_dims values).
  [[nodiscard]] std::span<const double> coefficients(std::size_t date) const;
  [[nodiscard]] std::span<const double> centre(std::size_t date) const;
  [[nodiscard]] std::span<const double> scale(std::size_t date) const;
  /// Exponents of basis function j: basis_exponents()[j·state_dims + i] is the power of z_i.
  [[nodiscard]] std::span<const std::uint8_t> basis_exponents() const { return exponents_; }

 private:
  friend struct LsmPolicyAccess;
  std::size_t dates_ = 0;
  std::size_t state_dims_ = 0;
  int degree_ = 0;
  std::size_t basis_size_ = 0;
  std::vector<std::uint8_t> exponents_;  // [basis][dims]
  std::vector<double> coefficients_;     // [dates][basis]
  std::vector<double> centre_;           // [dates][dims]
  std::vector<double> scale_;            // [dates][dims]
  std::vector<std::uint8_t> regressed_;  // [dates]
};

/// Where the rule exercises at one date, for one state variable: exercise when X < x* (kBelow) or
/// X > x* (kAbove). Estimated from the rule's decisions on every path of the sample at that date
/// (out-of-the-money paths count as "continue"): x* is the midpoint between the last exercising and
/// the first continuing state when the decisions split cleanly at one point; otherwise (a regression
/// can also exercise, or continue, on a second, spurious interval far in the tail) the threshold and
/// side that misclassify the fewest paths, searched among the edges of 4096 equal bins over the
/// sample's range of X, with that share in `misclassified`. O(paths) per date.
struct LsmBoundary {
  enum class Side : std::uint8_t { kNone, kBelow, kAbove, kEverywhere };
  /// kNone: no path exercises at this date; kEverywhere: every path does (x* is NaN in both).
  Side side = Side::kNone;
  double state = std::numeric_limits<double>::quiet_NaN();
  /// Fraction of the sample's paths whose decision is on the other side of x* (0 when clean).
  double misclassified = 0;
};

/// A value estimate: the rule applied to the paths of one sample.
struct LsmResult {
  /// V_0 = max(h_0, continuation), money at t0.
  double value = 0;
  /// Standard error of `continuation`: √(sample variance / n) over the paths' discounted realized
  /// cash flows (over the pair means with antithetic pairs). When exercising at t0 is optimal the
  /// value is h_0 exactly, and this is still the error of the continuation it was compared with.
  double standard_error = 0;
  /// mean_p D(0, τ_p) · h(X_{τ_p, p}): the value of not exercising at t0 and following the rule.
  double continuation = 0;
  /// h_0, or NaN when exercise at t0 is not allowed.
  double exercise_now_value = std::numeric_limits<double>::quiet_NaN();
  /// continuation − h_0: the value of waiting at t0 (NaN when exercise at t0 is not allowed).
  double value_of_waiting = std::numeric_limits<double>::quiet_NaN();
  /// h_0 > continuation.
  bool exercise_now = false;
  std::size_t paths = 0;
  /// [dates] the share of paths whose rule stops at each date (excludes t0; the rest never exercise).
  std::vector<double> exercise_fraction;
  /// [dates] when the sample has one state variable and the boundary was asked for; else empty.
  std::vector<LsmBoundary> boundary;
};

struct LsmFit {
  LsmPolicy policy;
  /// Longstaff & Schwartz's estimator: the rule valued on the paths it was fitted on.
  LsmResult in_sample;
};

/// The backward-induction regressions on `sample` (see the top of this file). Allocates its working
/// arrays once (design matrix paths × basis, cash flows), none per path. Throws ParameterError on
/// a bad sample (non-positive discount factors, NaN exercise values, antithetic pairs with an odd
/// number of paths) or options (degree, basis too large, fewer paths than basis functions).
[[nodiscard]] LsmFit lsm_fit(const LsmSample& sample, const LsmOptions& options = {});

/// The fixed rule `policy` valued on `sample`, which should be independent of the one it was fitted
/// on: a low-biased estimate (E ≤ V_0) with an honest standard error. The sample's dates and state
/// dimension must match the policy's. Boundaries are estimated when options.estimate_boundary.
[[nodiscard]] LsmResult lsm_evaluate(const LsmPolicy& policy, const LsmSample& sample,
                                     const LsmOptions& options = {});

// ---------------------------------------------------------------------------------------------
// The validation case: an American put on a non-dividend stock under Black–Scholes dynamics.

/// A put on S with strike K; rate r continuously compounded per year, volatility σ per √year,
/// maturity T in years; no dividends.
struct PutContract {
  double spot;
  double strike;
  double rate;
  double volatility;
  double maturity;
};

/// The European put by Black & Scholes (1973): K e^{−rT} N(−d₂) − S N(−d₁),
/// d₁ = (ln(S/K) + (r + σ²/2) T) / (σ√T), d₂ = d₁ − σ√T. Throws ParameterError unless
/// S, K, σ, T > 0 and r finite.
[[nodiscard]] double black_scholes_put(const PutContract& put);

/// How a binomial tree lets the put be exercised.
enum class ExerciseStyle : std::uint8_t { kEuropean, kAmerican, kBermudan };

/// The put on a Cox–Ross–Rubinstein tree with n steps: Δt = T/n, u = e^{σ√Δt}, d = 1/u,
/// q = (e^{rΔt} − d)/(u − d), value_i,j = max(exercise, e^{−rΔt}(q·up + (1−q)·down)) where exercise
/// is allowed at every node (kAmerican), at maturity only (kEuropean), or at t0 and every
/// (n / bermudan_dates)-th step (kBermudan: bermudan_dates equally spaced dates, the last at T;
/// n must be a multiple of bermudan_dates). O(n²) time, O(n) memory. Throws ParameterError on
/// a bad contract, n < 1, or q outside (0, 1) (n too small for the rate and volatility): "tree_steps".
[[nodiscard]] double binomial_put(const PutContract& put, std::size_t steps,
                                  ExerciseStyle style = ExerciseStyle::kAmerican, std::size_t bermudan_dates = 0);

/// The "fine tree" reference for an American put: the mean of the CRR values with n and n + 1 steps,
/// which cancels the tree's odd/even oscillation (2,000 and 20,000 steps then agree within 5·10⁻⁴
/// on the Longstaff–Schwartz grid).
[[nodiscard]] double american_put_binomial(const PutContract& put, std::size_t steps = 5000);

struct AmericanPutLsmOptions {
  /// Paths of the pricing (out-of-sample) pass, whose mean and standard error are reported.
  std::size_t paths = 100000;
  /// Paths of the regression (fitting) pass, independent of the pricing paths. Memory: about
  /// 16 bytes × fit_paths × exercise dates.
  std::size_t fit_paths = 50000;
  std::uint64_t seed = 1;
  /// Exercise dates per year (Longstaff & Schwartz use 50); the dates are t_m = m·T/M,
  /// m = 1 … M, M = max(1, round(T · exercise_dates_per_year)); exercise at t0 is allowed too.
  double exercise_dates_per_year = 50;
  /// Antithetic variates: paths 2k and 2k+1 use the shocks Z and −Z.
  bool antithetic = true;
  LsmOptions lsm{};
};

struct AmericanPutLsm {
  /// The rule fitted on the fitting paths, valued on the independent pricing paths (low-biased).
  LsmResult value;
  /// Longstaff & Schwartz's estimator (the rule on its own fitting paths), with the boundary.
  LsmResult in_sample;
  LsmPolicy policy;
  std::size_t exercise_dates = 0;
};

/// Which simulated set a put sample's paths belong to: the regression's or the pricing's. They are
/// drawn from different counter blocks, so they are independent.
enum class PutPathSet : std::uint32_t { kPricing = 0, kFitting = 1 };

/// GBM paths under the risk-neutral measure, exact in law at the exercise dates (this validation
/// case draws from random::Stream::kTest: it is no part of a run's market):
///   S_m = S_{m−1} · exp((r − σ²/2) Δt + σ √Δt · Z_m),  Δt = T/M,
/// with Z_m the normal number (m mod 2) of Philox's draw at (seed, Stream::kTest, path index q,
/// step ⌊m/2⌋, block = set); q = ⌊p/2⌋ and sign (−1)^p with antithetic variates, q = p without.
/// Exercise values max(K − S_m, 0); discount e^{−rΔt} per period; payoff_now = max(K − S_0, 0).
[[nodiscard]] LsmSample simulate_put_sample(const PutContract& put, const AmericanPutLsmOptions& options,
                                            std::size_t paths, PutPathSet set);

/// The American put by least-squares Monte Carlo, exercisable at t0 and options.exercise_dates_per_year
/// dates a year (a Bermudan put approaching the American one): the rule is fitted on
/// options.fit_paths paths and valued on options.paths independent ones, streamed path by path
/// without being stored (each path stops when the rule exercises); with antithetic variates both
/// counts are rounded up to whole pairs and the standard error is over pair means. The reported
/// value is therefore low-biased: E[value] ≤ the Bermudan value ≤ the American value (the gaps, on
/// Longstaff & Schwartz's grid: 0.003–0.009 for 50 dates a year, and 0.003–0.01 for the cubic rule).
/// Deterministic in the seed. Throws ParameterError on a bad contract or options.
[[nodiscard]] AmericanPutLsm lsm_american_put(const PutContract& put, const AmericanPutLsmOptions& options = {});

/// M = max(1, round(T · per_year)), the number of exercise dates after t0. Throws ParameterError
/// "exercise_dates_per_year" unless per_year > 0.
[[nodiscard]] std::size_t put_exercise_dates(const PutContract& put, double per_year);

}  // namespace hashpivot::valuation
