#include "hashpivot/engine/real_options.hpp"
