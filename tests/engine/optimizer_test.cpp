#include "hashpivot/engine/optimizer.hpp"

#include <gtest/gtest.h>
