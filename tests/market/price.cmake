# BTC price processes and their calibration.
target_sources(market_tests PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/market/btc_price_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/market/btc_price_calibration_test.cpp)
