#pragma once
// Unsigned 256-bit integers with the semantics of Bitcoin Core's arith_uint256: arithmetic is
// modulo 2^256 (multiplication wraps), shifts past 255 bits give zero, division by zero throws.
// Consensus arithmetic on targets and work is done here, never in floating point.

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace hashpivot::chain {

class Uint256 {
 public:
  static constexpr int kLimbs = 8;  // 32-bit limbs, least significant first

  constexpr Uint256() = default;
  constexpr explicit Uint256(std::uint64_t value)
      : limbs_{static_cast<std::uint32_t>(value), static_cast<std::uint32_t>(value >> 32)} {}

  /// Parses up to 64 hex digits, most significant first, optional 0x prefix.
  /// Throws ParameterError "hex" on any other character or on more than 64 digits.
  static Uint256 from_hex(std::string_view hex);
  /// 64 lowercase hex digits, most significant first (Bitcoin Core's GetHex order).
  [[nodiscard]] std::string to_hex() const;

  /// Number of significant bits: 0 for zero, 256 when the top bit is set.
  [[nodiscard]] int bits() const;
  [[nodiscard]] std::uint64_t low64() const { return limbs_[0] | (std::uint64_t{limbs_[1]} << 32); }
  [[nodiscard]] bool is_zero() const;
  /// Nearest double (for reporting only: loses precision beyond 53 bits).
  [[nodiscard]] double to_double() const;

  Uint256& operator+=(const Uint256& other);
  Uint256& operator-=(const Uint256& other);
  Uint256& operator*=(const Uint256& other);  // modulo 2^256
  Uint256& operator/=(const Uint256& divisor);  // throws std::domain_error on zero
  Uint256& operator<<=(unsigned shift);
  Uint256& operator>>=(unsigned shift);

  friend Uint256 operator+(Uint256 a, const Uint256& b) { return a += b; }
  friend Uint256 operator-(Uint256 a, const Uint256& b) { return a -= b; }
  friend Uint256 operator*(Uint256 a, const Uint256& b) { return a *= b; }
  friend Uint256 operator/(Uint256 a, const Uint256& b) { return a /= b; }
  friend Uint256 operator<<(Uint256 a, unsigned shift) { return a <<= shift; }
  friend Uint256 operator>>(Uint256 a, unsigned shift) { return a >>= shift; }
  Uint256 operator~() const;

  friend bool operator==(const Uint256&, const Uint256&) = default;
  friend std::strong_ordering operator<=>(const Uint256& a, const Uint256& b);

 private:
  std::array<std::uint32_t, kLimbs> limbs_{};
};

}  // namespace hashpivot::chain
