#include "hashpivot/valuation/least_squares.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cassert>

namespace hashpivot::valuation {

std::size_t solve_least_squares(std::span<double> design, std::size_t rows, std::span<double> rhs,
                                std::span<double> coefficients) {
  const std::size_t cols = coefficients.size();
  assert(rows >= 1 && cols >= 1 && design.size() >= rows * cols && rhs.size() >= rows);
  const auto rows_i = static_cast<Eigen::Index>(rows);
  const auto cols_i = static_cast<Eigen::Index>(cols);
  Eigen::Map<Eigen::MatrixXd> a(design.data(), rows_i, cols_i);
  Eigen::ColPivHouseholderQR<Eigen::Ref<Eigen::MatrixXd>> qr(a);  // in place: overwrites `design`
  qr.setThreshold(kRankTolerance);
  const Eigen::Index rank = qr.rank();
  Eigen::Map<Eigen::VectorXd> y(rhs.data(), rows_i);
  y.applyOnTheLeft(qr.householderQ().adjoint());
  std::fill(coefficients.begin(), coefficients.end(), 0.0);
  if (rank > 0) {
    const Eigen::VectorXd w =
        qr.matrixR().topLeftCorner(rank, rank).template triangularView<Eigen::Upper>().solve(y.head(rank));
    const auto& permutation = qr.colsPermutation().indices();
    for (Eigen::Index k = 0; k < rank; ++k) coefficients[static_cast<std::size_t>(permutation(k))] = w(k);
  }
  return static_cast<std::size_t>(rank);
}

}  // namespace hashpivot::valuation
