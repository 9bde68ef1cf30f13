#include "hashpivot/engine/sensitivity.hpp"

#include <gtest/gtest.h>
