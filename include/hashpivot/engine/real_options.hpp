#pragma once
// (being written)

namespace hashpivot::engine {}
