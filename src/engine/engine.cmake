# The engine's mergeable statistics (for `hashpivot run`).
add_library(hashpivot_engine ${CMAKE_CURRENT_SOURCE_DIR}/engine/statistics.cpp)
target_link_libraries(hashpivot_engine PUBLIC hashpivot_firm PRIVATE hashpivot_options)
