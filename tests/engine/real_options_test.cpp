#include "hashpivot/engine/real_options.hpp"

#include <gtest/gtest.h>
