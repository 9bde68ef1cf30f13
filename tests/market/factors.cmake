# Tests of the non-price market factors (src/market/factors.cmake).
target_sources(market_tests PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/market/fees_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/market/energy_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/market/asic_price_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/market/ai_rates_test.cpp)
