#pragma once
// The one least-squares solve of valuation (lsm.hpp's continuation regressions and
// real_options.hpp's polynomial fits): Householder QR with column pivoting, rank revealing.
//
// A P = Q R (Eigen::ColPivHouseholderQR). Rank r: the pivots above kRankTolerance × the largest; the
// basic solution R₁₁ w = (Qᵀ y)₁…ᵣ, β = P [w; 0] sets the other coefficients to 0, so a
// rank-deficient design (a column repeated, too few distinct states) still gets the least-squares
// fit. Eigen's own ColPivHouseholderQR::solve is not used: it counts pivots down to rounding level
// whatever threshold is set, and the huge coefficients it then gives duplicated columns ruin the
// fit. The normal equations are avoided because they square the condition number.

#include <cstddef>
#include <span>

namespace hashpivot::valuation {

/// Pivots below this fraction of the largest count as zero. Standardized polynomial bases of the
/// degrees used (≤ 8) keep their smallest pivot far above it.
inline constexpr double kRankTolerance = 1e-10;

/// The basic least-squares solution β of design · β ≈ rhs (see above), written into `coefficients`
/// (cols values). `design` is rows × cols, column-major (element (r, c) at design[c × rows + r]),
/// rows ≥ 1, cols ≥ 1; it is overwritten by the factorization and `rhs` (rows values) by Qᵀ rhs, so
/// a caller solving many systems allocates both once. Returns the numerical rank r (0 … cols).
std::size_t solve_least_squares(std::span<double> design, std::size_t rows, std::span<double> rhs,
                                std::span<double> coefficients);

}  // namespace hashpivot::valuation
