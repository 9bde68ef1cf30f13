#include <gtest/gtest.h>

#include "apps/cli_runner.hpp"
