#!/usr/bin/env bash
# The block step's copies for AVX2 and AVX-512 (src/CMakeLists.txt, hashpivot_lane_copies) share no
# code with the rest of the program, which may run on a processor without those instructions:
#  1. every function they define for the linker is their own (namespace isa_avx2 / isa_avx512): no
#     inline function or template instance left weak, which the linker could keep for every caller;
#  2. they run nothing at start-up (no static constructors);
#  3. they pass no vector by value to code outside them (its calling convention differs with AVX).
# Arguments: the object files of the libraries that hold the copies (a ;-list or several arguments).
set -euo pipefail

objects=()
for arg in "$@"; do
  IFS=';' read -ra parts <<<"$arg"
  objects+=("${parts[@]}")
done
copies=()
for object in "${objects[@]}"; do
  case "$(basename "$object")" in
    *_avx2.cpp.o | *_avx512.cpp.o) copies+=("$object") ;;
  esac
done
if [ "${#copies[@]}" -lt 4 ]; then
  echo "expected the AVX2 and AVX-512 copies of lane_day and lane_totals among the objects, found ${#copies[@]}" >&2
  exit 1
fi

failed=0
for object in "${copies[@]}"; do
  name=$(basename "$object" .cpp.o)
  isa=${name##*_}
  # Functions (T), weak ones (W, V for objects), indirect (i) and unique (u) symbols other objects
  # could bind to: only the copy's own functions; of the data, only the C++ runtime's weak pointer to
  # its personality routine and empty function objects (common symbols, C).
  foreign=$(nm -g --defined-only "$object" | awk '$2 ~ /^[TWiuVDBR]$/ {print $3}' |
    grep -v '^DW\.ref\.__gxx_personality_v0$' | c++filt | grep -v "::isa_${isa}::" || true)
  if [ -n "$foreign" ]; then
    echo "$name defines symbols outside namespace isa_${isa} (built without -fno-weak?):" >&2
    echo "$foreign" | head -20 >&2
    failed=1
  fi
  # (AddressSanitizer adds a constructor to every object it instruments, to register its globals: a
  # sanitizer build is a development build, run where it was built.)
  if readelf -SW "$object" | grep -qE '\.init_array|\.ctors' && ! nm -u "$object" | grep -q '__asan_register'; then
    echo "$name runs code at start-up (a static constructor)" >&2
    failed=1
  fi
  by_value=$(nm -u "$object" | awk '{print $2}' | c++filt | grep -E '__vector\([0-9]+\)[,)]' || true)
  if [ -n "$by_value" ]; then
    echo "$name passes a vector by value to code outside it:" >&2
    echo "$by_value" >&2
    failed=1
  fi
  echo "$name: $(nm -g --defined-only "$object" | awk '$2 == "T"' | wc -l) function(s) of its own, nothing shared"
done
exit "$failed"
