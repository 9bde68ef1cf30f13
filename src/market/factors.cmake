# Non-price market factors (MODEL.md §2–§4): fees, energy, ASIC prices, AI/HPC rates.
target_sources(hashpivot_market PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/market/fees.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/market/energy.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/market/asic_price.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/market/ai_rates.cpp)
