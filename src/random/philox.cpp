#include "hashpivot/random/philox.hpp"

#include <Random123/philox.h>

#include <cmath>
#include <numbers>

namespace hashpivot::random {

std::array<std::uint32_t, 4> philox4x32_10(const std::array<std::uint32_t, 4>& counter,
                                           const std::array<std::uint32_t, 2>& key) {
  r123::Philox4x32_R<10> generator;
  const r123::Philox4x32_R<10>::ctr_type c = {{counter[0], counter[1], counter[2], counter[3]}};
  const r123::Philox4x32_R<10>::key_type k = {{key[0], key[1]}};
  const auto out = generator(c, k);
  return {out[0], out[1], out[2], out[3]};
}

std::array<std::uint32_t, 4> CounterRng::bits(const DrawAddress& at) const {
  return philox4x32_10({at.step, at.path, static_cast<std::uint32_t>(at.stream), at.block},
                       {static_cast<std::uint32_t>(seed_), static_cast<std::uint32_t>(seed_ >> 32)});
}

double to_open_unit(std::uint64_t bits) {
  // 52 bits: (2^52 − 1 + 0.5)·2^-52 = 1 − 2^-53 is exact, whereas with 53 bits the top value rounds to 1.
  return (static_cast<double>(bits >> 12) + 0.5) * 0x1.0p-52;
}

std::array<double, 2> CounterRng::uniforms(const DrawAddress& at) const {
  const auto b = bits(at);
  return {to_open_unit((std::uint64_t{b[0]} << 32) | b[1]), to_open_unit((std::uint64_t{b[2]} << 32) | b[3])};
}

std::array<double, 2> CounterRng::normals(const DrawAddress& at) const {
  const auto u = uniforms(at);
  const double radius = std::sqrt(-2.0 * std::log(u[0]));
  const double angle = 2.0 * std::numbers::pi * u[1];
  return {radius * std::cos(angle), radius * std::sin(angle)};
}

}  // namespace hashpivot::random
