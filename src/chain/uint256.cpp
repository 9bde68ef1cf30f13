#include "hashpivot/chain/uint256.hpp"

#include <cmath>
#include <stdexcept>

#include "hashpivot/core/error.hpp"

namespace hashpivot::chain {

Uint256 Uint256::from_hex(std::string_view hex) {
  if (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
  require(!hex.empty() && hex.size() <= 64, "hex", "expected 1 to 64 hex digits");
  Uint256 value;
  for (const char c : hex) {
    unsigned digit = 0;
    if (c >= '0' && c <= '9') digit = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') digit = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') digit = static_cast<unsigned>(c - 'A' + 10);
    else throw ParameterError("hex", "not a hex digit: '" + std::string(1, c) + "'");
    value <<= 4;
    value.limbs_[0] |= digit;
  }
  return value;
}

std::string Uint256::to_hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (int limb = 0; limb < kLimbs; ++limb)
    for (int nibble = 0; nibble < 8; ++nibble) {
      const auto digit = (limbs_[static_cast<std::size_t>(limb)] >> (4 * nibble)) & 0xfu;
      out[static_cast<std::size_t>(63 - (limb * 8 + nibble))] = kDigits[digit];
    }
  return out;
}

int Uint256::bits() const {
  for (int limb = kLimbs - 1; limb >= 0; --limb) {
    const std::uint32_t word = limbs_[static_cast<std::size_t>(limb)];
    if (word != 0) {
      int top = 31;
      while (((word >> top) & 1u) == 0) --top;
      return 32 * limb + top + 1;
    }
  }
  return 0;
}

bool Uint256::is_zero() const {
  for (const auto limb : limbs_)
    if (limb != 0) return false;
  return true;
}

double Uint256::to_double() const {
  double value = 0.0;
  for (int limb = kLimbs - 1; limb >= 0; --limb)
    value = value * 4294967296.0 + static_cast<double>(limbs_[static_cast<std::size_t>(limb)]);
  return value;
}

Uint256& Uint256::operator+=(const Uint256& other) {
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < kLimbs; ++i) {
    const std::uint64_t sum = carry + limbs_[i] + other.limbs_[i];
    limbs_[i] = static_cast<std::uint32_t>(sum);
    carry = sum >> 32;
  }
  return *this;
}

Uint256& Uint256::operator-=(const Uint256& other) {
  // Two's complement: a - b = a + ~b + 1 (mod 2^256).
  Uint256 negated = ~other;
  negated += Uint256(1);
  return *this += negated;
}

Uint256& Uint256::operator*=(const Uint256& other) {
  Uint256 product;
  for (std::size_t j = 0; j < kLimbs; ++j) {
    std::uint64_t carry = 0;
    for (std::size_t i = 0; i + j < kLimbs; ++i) {
      const std::uint64_t n = carry + product.limbs_[i + j] + std::uint64_t{limbs_[j]} * other.limbs_[i];
      product.limbs_[i + j] = static_cast<std::uint32_t>(n);
      carry = n >> 32;
    }
  }
  *this = product;
  return *this;
}

Uint256& Uint256::operator/=(const Uint256& divisor_in) {
  // Shift-and-subtract long division, as arith_uint256 does.
  Uint256 divisor = divisor_in;
  Uint256 remainder = *this;
  Uint256 quotient;
  const int numerator_bits = remainder.bits();
  const int divisor_bits = divisor.bits();
  if (divisor_bits == 0) throw std::domain_error("division of a 256-bit integer by zero");
  if (divisor_bits <= 32) {
    // A one-limb divisor (a retarget divides by the two-week timespan): schoolbook division limb
    // by limb. The quotient of integers is unique, so this equals the shift-subtract result below
    // (the tests compare both), about a hundred times faster.
    const std::uint64_t d = divisor.limbs_[0];
    std::uint64_t carry = 0;
    for (std::size_t i = kLimbs; i-- > 0;) {
      const std::uint64_t current = (carry << 32) | limbs_[i];
      limbs_[i] = static_cast<std::uint32_t>(current / d);
      carry = current % d;
    }
    return *this;
  }
  if (divisor_bits > numerator_bits) {
    *this = Uint256();
    return *this;
  }
  int shift = numerator_bits - divisor_bits;
  divisor <<= static_cast<unsigned>(shift);
  while (shift >= 0) {
    if (remainder >= divisor) {
      remainder -= divisor;
      quotient.limbs_[static_cast<std::size_t>(shift / 32)] |= (1u << (shift & 31));
    }
    divisor >>= 1;
    --shift;
  }
  *this = quotient;
  return *this;
}

Uint256& Uint256::operator<<=(unsigned shift) {
  Uint256 result;
  const unsigned limb_shift = shift / 32;
  const unsigned bit_shift = shift % 32;
  for (unsigned i = 0; i < kLimbs; ++i) {
    if (i + limb_shift + 1 < kLimbs && bit_shift != 0)
      result.limbs_[i + limb_shift + 1] |= limbs_[i] >> (32 - bit_shift);
    if (i + limb_shift < kLimbs) result.limbs_[i + limb_shift] |= limbs_[i] << bit_shift;
  }
  *this = result;
  return *this;
}

Uint256& Uint256::operator>>=(unsigned shift) {
  Uint256 result;
  const unsigned limb_shift = shift / 32;
  const unsigned bit_shift = shift % 32;
  for (unsigned i = 0; i < kLimbs; ++i) {
    if (i >= limb_shift + 1 && bit_shift != 0)
      result.limbs_[i - limb_shift - 1] |= limbs_[i] << (32 - bit_shift);
    if (i >= limb_shift) result.limbs_[i - limb_shift] |= limbs_[i] >> bit_shift;
  }
  *this = result;
  return *this;
}

Uint256 Uint256::operator~() const {
  Uint256 result;
  for (std::size_t i = 0; i < kLimbs; ++i) result.limbs_[i] = ~limbs_[i];
  return result;
}

std::strong_ordering operator<=>(const Uint256& a, const Uint256& b) {
  for (int i = Uint256::kLimbs - 1; i >= 0; --i) {
    const auto index = static_cast<std::size_t>(i);
    if (a.limbs_[index] != b.limbs_[index]) return a.limbs_[index] <=> b.limbs_[index];
  }
  return std::strong_ordering::equal;
}

}  // namespace hashpivot::chain
