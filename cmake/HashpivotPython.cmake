# Whether to build the Python module `hashpivot` (python/), and with which interpreter.
#
# The interpreter is Debian's /usr/bin/python3 unless Python3_EXECUTABLE says otherwise: the
# module is built for one interpreter's ABI, and Debian's is the one whose packages (python3-numpy,
# python3-pandas, python3-pytest) scripts/setup.sh installs. A `python3` found first on PATH (a
# pyenv or a venv) would build a module that the test suite's interpreter cannot load, or run the
# tests with an interpreter that has no pandas.
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python interpreter the module is built for and tested with")
endif()
# Development.Module: the headers of an extension module (it does not link libpython).
find_package(Python3 COMPONENTS Interpreter Development.Module QUIET)
if(Python3_FOUND)
  # pybind11's CMake support follows the Python3 found above (its "new" FindPython mode).
  find_package(pybind11 2.10 CONFIG QUIET)
endif()

set(hashpivot_python_default OFF)
# The sanitizer build leaves it off: an extension built with AddressSanitizer loads into a normal
# interpreter only with the ASan runtime preloaded (LD_PRELOAD).
if(Python3_FOUND AND pybind11_FOUND AND NOT HASHPIVOT_SANITIZE)
  set(hashpivot_python_default ON)
endif()
option(HASHPIVOT_PYTHON "Build the Python module hashpivot (pybind11; needs python3-dev and pybind11-dev)"
       ${hashpivot_python_default})
if(HASHPIVOT_PYTHON AND NOT (Python3_FOUND AND pybind11_FOUND))
  message(FATAL_ERROR "HASHPIVOT_PYTHON is ON but Python 3's development headers or pybind11 were not found "
                      "(Debian: apt-get install python3-dev pybind11-dev)")
endif()
if(HASHPIVOT_PYTHON)
  message(STATUS "hashpivot: Python module for ${Python3_EXECUTABLE} (${Python3_VERSION}), pybind11 ${pybind11_VERSION}")
  # The project's static libraries are linked into the module, a shared object: compile them as
  # position-independent code. -fno-semantic-interposition keeps the optimizations -fPIE allowed
  # (inlining and direct calls within a library): nothing interposes these symbols.
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
  add_compile_options(-fno-semantic-interposition)
endif()
