#pragma once
// Numbers for the firm's day on one path (double) or on kLanes paths at once (Lanes: a GCC vector of
// doubles, one path a lane), so that a rule of day_steps.hpp is written once, as a template over its
// number type, and a block of paths runs the same source as a path alone (docs/speed.md, "The
// structure-of-arrays step").
//
// The contract: every operation here gives, lane by lane, the bits its scalar form gives on that
// lane's values. The vector arithmetic of GCC (+ − × ÷, comparisons, and !, && and || on their
// masks) is IEEE lane by lane; max, min and clamp keep std::max's, std::min's and std::clamp's
// choice of operand (which matters for NaN and for ±0); a branch becomes a select of both sides.
// Files that use Lanes are compiled without contraction of a multiply and an add
// (-ffp-contract=off), so that no instruction set fuses what the scalar code rounds twice.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <vector>

namespace hashpivot::firm::lanes {

/// Paths a block steps at once: 4 doubles, one AVX2 register (half an AVX-512 one, two SSE2). On
/// the Intel host 4 lanes measured faster than 8 with AVX-512 too (docs/speed.md, "The
/// structure-of-arrays step"): the fewer the lanes, the fewer the days a rare event of one of them
/// sends the block path by path, and the less work is done for both sides of a branch.
inline constexpr std::size_t kLanes = 4;

/// The instruction sets the block step (step_day_lanes) is compiled for. The baseline is the build's
/// own (x86-64's SSE2 in Debian's build, where a Lanes takes two registers and the block step
/// measured slower than the path's); where GCC builds for x86-64, the build adds a copy of the step
/// for x86-64-v3 (AVX2) and one for x86-64-v4 (AVX-512), and a run takes the widest this processor
/// runs (firm::widest_lane_instruction_set). Every one gives the same bits: no copy fuses a multiply
/// and an add (-ffp-contract=off), and vector arithmetic is IEEE lane by lane.
enum class InstructionSet { kBaseline, kAvx2, kAvx512 };

/// kLanes doubles, one a path.
using Lanes = double __attribute__((vector_size(kLanes * sizeof(double))));
/// kLanes 64-bit integers: a day or a count per path, and the mask a comparison of Lanes gives
/// (all bits set where true, 0 where false).
using LaneInts = std::int64_t __attribute__((vector_size(kLanes * sizeof(std::int64_t))));
using LaneMask = LaneInts;

/// The types that go with a number type: its integers (days, counts) and its truth values.
template <class T>
struct NumberTraits;
template <>
struct NumberTraits<double> {
  using Int = int;
  using Mask = bool;
  static constexpr bool kBlock = false;
};
template <>
struct NumberTraits<Lanes> {
  using Int = LaneInts;
  using Mask = LaneMask;
  static constexpr bool kBlock = true;
};
template <class T>
using IntOf = typename NumberTraits<T>::Int;
template <class T>
using MaskOf = typename NumberTraits<T>::Mask;
template <class T>
inline constexpr bool kIsLanes = NumberTraits<T>::kBlock;

/// The alignment of a number type in the structs that hold one a field (alignas(kAlignOf<T>)):
/// its own for a path's; for a block's, its size. GCC aligns a vector type to its size only where
/// the instruction set has registers that wide (32 bytes with AVX, 16 without), and the block step's
/// copies for AVX2 and AVX-512 (InstructionSet), built for a wider set than the rest of the program,
/// load it with aligned moves: the layout is fixed here, the same for every instruction set.
inline constexpr std::size_t kLaneAlignment = kLanes * sizeof(double);
template <class T>
inline constexpr std::size_t kAlignOf = kIsLanes<T> ? kLaneAlignment : alignof(T);

/// The allocator of a std::vector of Lanes: aligned to kLaneAlignment (std::allocator aligns to
/// alignof(Lanes), which is 16 in a baseline build).
template <class T>
struct LaneAllocator {
  using value_type = T;
  LaneAllocator() = default;
  template <class U>
  explicit LaneAllocator(const LaneAllocator<U>&) noexcept {}
  [[nodiscard]] T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{kLaneAlignment}));
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t{kLaneAlignment}); }
  bool operator==(const LaneAllocator&) const = default;
};
using LaneVector = std::vector<Lanes, LaneAllocator<Lanes>>;

// ---- Scalars ----------------------------------------------------------------------------------------

template <class T>
[[nodiscard]] inline T splat(double x) {
  if constexpr (kIsLanes<T>) {
    return Lanes{} + x;
  } else {
    return x;
  }
}
template <class I>
[[nodiscard]] inline I splat_int(int x) {
  if constexpr (std::is_same_v<I, LaneInts>) {
    return LaneInts{} + x;
  } else {
    return x;
  }
}

[[nodiscard]] inline double select(bool m, double a, double b) { return m ? a : b; }
[[nodiscard]] inline int select(bool m, int a, int b) { return m ? a : b; }
[[nodiscard]] inline bool select(bool m, bool a, bool b) { return m ? a : b; }
[[nodiscard]] inline bool either(bool a, bool b) { return a || b; }
[[nodiscard]] inline bool any(bool m) { return m; }
[[nodiscard]] inline bool all(bool m) { return m; }
[[nodiscard]] inline double max(double a, double b) { return (a < b) ? b : a; }  // std::max's choice
[[nodiscard]] inline double min(double a, double b) { return (b < a) ? b : a; }  // std::min's choice
[[nodiscard]] inline double clamp(double v, double lo, double hi) { return v < lo ? lo : (hi < v ? hi : v); }
[[nodiscard]] inline double sqrt(double x) { return std::sqrt(x); }
[[nodiscard]] inline double to_double(int x) { return static_cast<double>(x); }

// ---- Lanes ------------------------------------------------------------------------------------------

// A mask's "or" as a LaneMask: clang types a vector's || as a vector of long long, not of int64_t.
[[nodiscard]] inline LaneMask either(LaneMask a, LaneMask b) { return a | b; }
[[nodiscard]] inline Lanes select(LaneMask m, Lanes a, Lanes b) { return m ? a : b; }
[[nodiscard]] inline LaneInts select(LaneMask m, LaneInts a, LaneInts b) { return m ? a : b; }
[[nodiscard]] inline bool any(LaneMask m) {
  std::int64_t bits = 0;
  for (std::size_t l = 0; l < kLanes; ++l) bits |= m[l];
  return bits != 0;
}
[[nodiscard]] inline bool all(LaneMask m) {
  std::int64_t bits = -1;
  for (std::size_t l = 0; l < kLanes; ++l) bits &= m[l];
  return bits != 0;
}
[[nodiscard]] inline Lanes max(Lanes a, Lanes b) { return (a < b) ? b : a; }
[[nodiscard]] inline Lanes min(Lanes a, Lanes b) { return (b < a) ? b : a; }
[[nodiscard]] inline Lanes clamp(Lanes v, Lanes lo, Lanes hi) { return v < lo ? lo : (hi < v ? hi : v); }
[[nodiscard]] inline Lanes sqrt(Lanes x) {
  Lanes r;
  for (std::size_t l = 0; l < kLanes; ++l) r[l] = __builtin_sqrt(x[l]);
  return r;
}
[[nodiscard]] inline Lanes to_double(LaneInts x) { return __builtin_convertvector(x, Lanes); }

/// Lane `l` of a number, and the number with lane `l` set (a scalar is its only lane).
[[nodiscard]] inline double lane(double x, std::size_t) { return x; }
[[nodiscard]] inline double lane(Lanes x, std::size_t l) { return x[l]; }
[[nodiscard]] inline int lane(int x, std::size_t) { return x; }
[[nodiscard]] inline int lane(LaneInts x, std::size_t l) { return static_cast<int>(x[l]); }
[[nodiscard]] inline bool lane_true(bool m, std::size_t) { return m; }
[[nodiscard]] inline bool lane_true(LaneMask m, std::size_t l) { return m[l] != 0; }

/// A mask with every lane true (a path's: true).
template <class T>
[[nodiscard]] inline MaskOf<T> all_true() {
  if constexpr (kIsLanes<T>) {
    return LaneMask{} == 0;
  } else {
    return true;
  }
}

/// Sets lane `l` of `x` to `v` (a scalar's only lane).
inline void set_lane(double& x, std::size_t, double v) { x = v; }
inline void set_lane(Lanes& x, std::size_t l, double v) { x[l] = v; }

/// Calls f(l) for each lane l where `m` is true: what a rule does path by path in a block (a call
/// with no vector form of the same bits, such as libm's, on the rare lanes that need it).
template <class F>
inline void for_each_lane(bool m, F&& f) {
  if (m) f(std::size_t{0});
}
template <class F>
inline void for_each_lane(LaneMask m, F&& f) {
  for (std::size_t l = 0; l < kLanes; ++l)
    if (m[l]) f(l);
}

/// `x` where `m` is true, else unchanged: a rule's `if (m) x = v;`.
template <class T, class M>
inline void assign_if(M m, T& x, T v) {
  x = select(m, v, x);
}

}  // namespace hashpivot::firm::lanes
