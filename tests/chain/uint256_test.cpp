#include "hashpivot/chain/uint256.hpp"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "hashpivot/core/error.hpp"

namespace hashpivot::chain {
namespace {

TEST(Uint256, hex_round_trips_and_pads_to_64_digits) {
  const std::string hex = "00000000ffff0000000000000000000000000000000000000000000000000000";
  EXPECT_EQ(Uint256::from_hex(hex).to_hex(), hex);
  EXPECT_EQ(Uint256::from_hex("0x80").to_hex(), std::string(62, '0') + "80");
  EXPECT_EQ(Uint256::from_hex("DEADbeef").low64(), 0xdeadbeefULL);
}

TEST(Uint256, from_hex_rejects_bad_digits_and_too_many) {
  EXPECT_THROW((void)Uint256::from_hex("12g4"), ParameterError);
  EXPECT_THROW((void)Uint256::from_hex(std::string(65, '1')), ParameterError);
  EXPECT_THROW((void)Uint256::from_hex(""), ParameterError);
}

// Independent reference: native 64-bit arithmetic on operands small enough not to overflow.
TEST(Uint256, arithmetic_matches_native_integers_on_random_operands) {
  std::mt19937_64 rng(20260201);
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t a = rng() >> 33;
    const std::uint64_t b = (rng() >> 33) | 1;
    EXPECT_EQ((Uint256(a) + Uint256(b)).low64(), a + b);
    EXPECT_EQ((Uint256(a) * Uint256(b)).low64(), a * b);
    EXPECT_EQ((Uint256(a * b + a) / Uint256(b)).low64(), (a * b + a) / b);
    if (a >= b) {
      EXPECT_EQ((Uint256(a) - Uint256(b)).low64(), a - b);
    }
    const unsigned shift = static_cast<unsigned>(rng() % 31);
    EXPECT_EQ((Uint256(a) << shift).low64(), a << shift);
    EXPECT_EQ((Uint256(a) >> shift).low64(), a >> shift);
  }
}

TEST(Uint256, wraps_modulo_2_to_256_like_arith_uint256) {
  const Uint256 max = ~Uint256();
  EXPECT_EQ(max + Uint256(1), Uint256());
  EXPECT_EQ(Uint256() - Uint256(1), max);
  // (2^256 − 1)^2 = 2^512 − 2^257 + 1 ≡ 1 (mod 2^256).
  EXPECT_EQ(max * max, Uint256(1));
  EXPECT_EQ(Uint256(1) << 256, Uint256());
  EXPECT_EQ(max >> 300, Uint256());
}

TEST(Uint256, shifts_across_limbs_compose_to_the_identity) {
  const Uint256 x = Uint256::from_hex("123456789abcdef0fedcba9876543210");
  for (unsigned s = 0; s < 128; ++s) EXPECT_EQ((x << s) >> s, x) << "shift " << s;
  EXPECT_EQ((Uint256(1) << 255).bits(), 256);
  EXPECT_EQ(Uint256().bits(), 0);
  EXPECT_EQ(Uint256(0x80).bits(), 8);
}

TEST(Uint256, long_division_satisfies_the_division_identity) {
  // q = a / b must satisfy q·b <= a < (q+1)·b; checked on wide operands.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 500; ++i) {
    Uint256 a, b;
    for (int limb = 0; limb < 4; ++limb) a = (a << 64) + Uint256(rng());
    const unsigned divisor_limbs = 1 + static_cast<unsigned>(rng() % 3);
    for (unsigned limb = 0; limb < divisor_limbs; ++limb) b = (b << 64) + Uint256(rng() | 1);
    a >>= 1;  // keep (q+1)·b from wrapping
    const Uint256 q = a / b;
    EXPECT_LE(q * b, a);
    EXPECT_GT((q + Uint256(1)) * b, a);
  }
}

TEST(Uint256, one_limb_divisors_satisfy_the_division_identity_on_wide_numerators) {
  // The one-limb fast path (what a retarget's division by the timespan takes).
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) {
    Uint256 a;
    for (int limb = 0; limb < 4; ++limb) a = (a << 64) + Uint256(rng());
    a >>= 1 + static_cast<unsigned>(rng() % 200);
    const Uint256 b(1 + (rng() >> 32));  // 1 … 2^32
    const Uint256 q = a / b;
    EXPECT_LE(q * b, a);
    EXPECT_GT((q + Uint256(1)) * b, a);
  }
  EXPECT_EQ(Uint256(1209600) / Uint256(1209600), Uint256(1));
}

TEST(Uint256, division_by_zero_throws) { EXPECT_THROW((void)(Uint256(5) / Uint256()), std::domain_error); }

TEST(Uint256, ordering_is_by_magnitude) {
  EXPECT_LT(Uint256(1), Uint256(1) << 200);
  EXPECT_GT(Uint256::from_hex("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
            Uint256::from_hex("00000000ffff0000000000000000000000000000000000000000000000000000"));
}

}  // namespace
}  // namespace hashpivot::chain
