# Interop: our files read by arrow-rs (parquet-wasm), DuckDB, polars and hyparquet.
# The cases are written by a C program from arrays it builds itself; the expected values
# come from those arrays, never from reading our Parquet back.
add_executable(interop_gen_cases ${PROJECT_SOURCE_DIR}/tests/interop/gen_cases.c)
target_link_libraries(interop_gen_cases PRIVATE artemis_test_support)
artemis_set_warnings(interop_gen_cases)

find_program(NODE_EXECUTABLE node)
set(ARTEMIS_INTEROP_DIR ${CMAKE_CURRENT_BINARY_DIR}/interop-cases)
add_test(NAME interop.generate COMMAND interop_gen_cases ${ARTEMIS_INTEROP_DIR})
set_tests_properties(interop.generate PROPERTIES FIXTURES_SETUP interop_cases LABELS "interop" TIMEOUT 600)
if(NODE_EXECUTABLE)
  add_test(NAME interop.verify
           COMMAND ${NODE_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/interop/verify.mjs ${ARTEMIS_INTEROP_DIR})
  set_tests_properties(interop.verify PROPERTIES FIXTURES_REQUIRED interop_cases LABELS "interop" TIMEOUT 900)
else()
  message(WARNING "node not found: the interop test is registered as failing")
  add_test(NAME interop.verify COMMAND ${CMAKE_COMMAND} -E false)
endif()
if(NODE_EXECUTABLE)
  # The .inprogress file of a writer killed mid-write must be rejected by every reader.
  add_test(NAME interop.reject_inprogress
           COMMAND ${NODE_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/interop/verify.mjs
                   --expect-reject ${ARTEMIS_INTEROP_DIR}/interrupted.parquet.inprogress)
  set_tests_properties(interop.reject_inprogress PROPERTIES FIXTURES_REQUIRED interop_cases LABELS "interop" TIMEOUT 300)
endif()
if(NODE_EXECUTABLE)
  # The harness can fail: it must pass on files written by independent writers (DuckDB,
  # arrow-rs) and must report FAIL on deliberately corrupted expectations.
  add_test(NAME interop.harness_selftest COMMAND ${NODE_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/interop/selftest.mjs)
  set_tests_properties(interop.harness_selftest PROPERTIES LABELS "interop" TIMEOUT 600)
endif()
