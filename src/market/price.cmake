# BTC price processes and their calibration (MODEL.md §3).
target_sources(hashpivot_market PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/market/btc_price.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/market/btc_price_calibration.cpp)
