# Tests of the engine (src/engine/engine.cmake).
hashpivot_add_test(engine_tests SOURCES engine/statistics_test.cpp LIBS hashpivot_engine)
