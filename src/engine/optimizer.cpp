#include "hashpivot/engine/optimizer.hpp"
