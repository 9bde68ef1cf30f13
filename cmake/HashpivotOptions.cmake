# Compiler flags shared by every hashpivot target, gathered on one interface library so a
# target opts in by linking it rather than by repeating flags.
add_library(hashpivot_options INTERFACE)
target_compile_options(hashpivot_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wdouble-promotion
  # The firm's block step passes vectors of 4 doubles (firm/lanes.hpp) by value between inline
  # functions; GCC notes that their calling convention differs with AVX on or off, which only matters
  # for calls between objects built with different flags (the block step's copies for AVX2 and
  # AVX-512 take references only: src/CMakeLists.txt, hashpivot_lane_copies).
  -Wno-psabi)
if(HASHPIVOT_WERROR)
  target_compile_options(hashpivot_options INTERFACE -Werror)
endif()
if(HASHPIVOT_NATIVE)
  target_compile_options(hashpivot_options INTERFACE -march=native -ffp-contract=off)
endif()
if(HASHPIVOT_SANITIZE)
  target_compile_options(hashpivot_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(hashpivot_options INTERFACE -fsanitize=address,undefined)
endif()

# The block step's copies for x86-64-v3 (AVX2) and -v4 (AVX-512) beside the build's own
# (src/CMakeLists.txt, hashpivot_lane_copies): where GCC builds for x86-64 (they need its -fno-weak).
set(HASHPIVOT_LANE_COPIES OFF)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set(HASHPIVOT_LANE_COPIES ON)
endif()
