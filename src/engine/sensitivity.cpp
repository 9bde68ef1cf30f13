#include "hashpivot/engine/sensitivity.hpp"
