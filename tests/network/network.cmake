# Tests of the simulated network (src/network/network.cmake) and of `hashpivot network`.
target_sources(network_tests PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/network/blocks_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/network/hashrate_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/network/margin_hashrate_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/network/backtest_test.cpp)
