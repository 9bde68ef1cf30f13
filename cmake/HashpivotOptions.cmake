# Compiler flags shared by every hashpivot target, gathered on one interface library so a
# target opts in by linking it rather than by repeating flags.
add_library(hashpivot_options INTERFACE)
target_compile_options(hashpivot_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wdouble-promotion
  # The firm's block step passes vectors of 8 doubles (firm/lanes.hpp) by value between inline
  # functions; GCC notes that their calling convention differs with AVX-512 on or off, which only
  # matters for calls between objects built with different flags (the build dispatches whole block
  # steps, never such a call).
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
