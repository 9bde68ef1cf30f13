# HASHPIVOT_FUZZ: the libFuzzer targets of fuzz/ (docs/fuzzing.md). Every library is compiled with
# coverage instrumentation for libFuzzer and with AddressSanitizer and UndefinedBehaviorSanitizer, so a
# fault anywhere under a reader is found, not only in the reader. Use a separate build directory
# (scripts/fuzz.sh configures build-fuzz with CC=clang CXX=clang++).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "HASHPIVOT_FUZZ needs clang (libFuzzer): configure with CXX=clang++ "
                      "(Debian: apt-get install clang libclang-rt-14-dev)")
endif()
if(HASHPIVOT_SANITIZE)
  message(FATAL_ERROR "HASHPIVOT_FUZZ already builds with the sanitizers: leave HASHPIVOT_SANITIZE off")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
