# The simulated network: exogenous and margin-driven hashrate, block arrivals and retargets, backtest.
target_sources(hashpivot_network PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/network/hashrate.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/network/margin_hashrate.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/network/blocks.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/network/backtest.cpp)
