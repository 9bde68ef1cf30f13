#pragma once
// Poisson variates from the counter-based generator, exact in distribution for any mean.
//
// - mean < 10: inversion by sequential search on one uniform.
// - mean >= 10: the transformed rejection method with squeeze, PTRS (W. Hörmann, "The transformed
//   rejection method for generating Poisson random variables", Insurance: Mathematics and
//   Economics 12 (1993) 39-45). Each attempt uses the two uniforms of one counter block; attempt j
//   reads block `first_block + j`, so a draw is a pure function of (seed, stream, path, step) and
//   results do not depend on thread or process count. Acceptance is about 0.9 per attempt.

#include <cstdint>

#include "hashpivot/random/philox.hpp"

namespace hashpivot::random {

/// ln(k!) for k >= 0: a table below 16, Stirling's series with three correction terms above
/// (absolute error below 1e-14 there).
[[nodiscard]] double log_factorial(std::int64_t k);

/// A Poisson(mean) variate drawn at `at` (its block is the first attempt's). mean >= 0; mean = 0
/// gives 0. mean is capped at 1e12 to keep the result in range.
[[nodiscard]] std::int64_t poisson(const CounterRng& rng, DrawAddress at, double mean);

}  // namespace hashpivot::random
