#include "hashpivot/random/philox.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace hashpivot::random {
namespace {

// Random123's own known-answer vectors for Philox4x32-10 (tests/kat_vectors), read from the data file.
TEST(Philox, matches_every_random123_known_answer_vector) {
  std::ifstream in(std::string(HASHPIVOT_TEST_DATA_DIR) + "/random/philox4x32_10_kat_vectors.txt");
  ASSERT_TRUE(in);
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name;
    int rounds = 0;
    std::array<std::uint32_t, 4> counter{}, expected{};
    std::array<std::uint32_t, 2> key{};
    fields >> name >> rounds >> std::hex;
    for (auto& c : counter) fields >> c;
    for (auto& k : key) fields >> k;
    for (auto& e : expected) fields >> e;
    ASSERT_TRUE(fields) << line;
    EXPECT_EQ(philox4x32_10(counter, key), expected) << line;
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(CounterRng, a_draw_depends_only_on_its_address_not_on_call_order) {
  const CounterRng rng(42);
  const DrawAddress a{Stream::kBtcPrice, 7, 100};
  const auto first = rng.normals(a);
  (void)rng.normals({Stream::kBtcPrice, 8, 100});
  EXPECT_EQ(rng.normals(a), first);
  EXPECT_EQ(CounterRng(42).normals(a), first);
  EXPECT_NE(CounterRng(43).normals(a), first);
  EXPECT_NE(rng.normals({Stream::kFees, 7, 100}), first);
  EXPECT_NE(rng.normals({Stream::kBtcPrice, 7, 100, 1}), first);
}

TEST(CounterRng, uniforms_stay_inside_the_open_unit_interval) {
  EXPECT_GT(to_open_unit(0), 0.0);
  EXPECT_LT(to_open_unit(~std::uint64_t{0}), 1.0);
}

// Moments of 200,000 normals against N(0,1), with tolerances of 5 standard errors of each estimator.
TEST(CounterRng, normals_have_standard_normal_moments) {
  const CounterRng rng(20260201);
  const int n = 200'000;
  double sum = 0, sum2 = 0, sum4 = 0;
  int beyond_1_96 = 0;
  for (std::uint32_t i = 0; i < n / 2; ++i)
    for (const double z : rng.normals({Stream::kTest, i, 0})) {
      sum += z;
      sum2 += z * z;
      sum4 += z * z * z * z;
      beyond_1_96 += std::abs(z) > 1.959963984540054 ? 1 : 0;
    }
  const double mean = sum / n;
  const double var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 5 * std::sqrt(1.0 / n));
  EXPECT_NEAR(var, 1.0, 5 * std::sqrt(2.0 / n));
  EXPECT_NEAR(sum4 / n, 3.0, 5 * std::sqrt(96.0 / n));  // Var(z^4) = 105 − 9
  const double p = 0.05;
  EXPECT_NEAR(static_cast<double>(beyond_1_96) / n, p, 5 * std::sqrt(p * (1 - p) / n));
}

}  // namespace
}  // namespace hashpivot::random
