#pragma once
// Test support: a count of heap allocations, for tests that prove a hot-path function never
// allocates. Linking allocation_counter.cpp into a test binary replaces the global operator new.

#include <cstdint>

namespace hashpivot::testing {

/// Heap allocations made through operator new since the program started.
[[nodiscard]] std::uint64_t heap_allocations();

}  // namespace hashpivot::testing
