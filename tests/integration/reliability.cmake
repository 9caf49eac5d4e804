# Reliability tests that need the real system: label `reliability`. Each one exits 77 when
# the machine cannot run it (not root, mount refused in a container), which CTest shows as
# skipped, never as passed. Several engineers append their own blocks here.

# ---- real ENOSPC: artemis-write into a 2 MiB tmpfs (tests/reliability/enospc.sh) ---------
if(ARTEMIS_BUILD_TOOLS)
  add_test(NAME reliability.enospc
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/reliability/enospc.sh $<TARGET_FILE:artemis-write>)
  set_tests_properties(reliability.enospc PROPERTIES LABELS "reliability" TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()

# ---- stale and concurrent .inprogress, SIGKILL crash loop (tests/reliability/race.sh, crash_loop.sh) ----
# race: --replace-stale through the CLI, then 2 and 8 writers racing for one path (also with
# --replace-stale=0): exactly one winner, losers exit 3, the file is whole (DuckDB).
# crash_loop N: N writers SIGKILLed at random moments: nothing or the whole file at the final
# path, leftovers unlocked and rejected by DuckDB. 200 kills in `reliability`; 1000 in
# `reliability-long`, which has CONFIGURATIONS long so that plain `ctest` (scripts/test.sh)
# leaves it out: run it with `ctest -C long -L reliability-long`.
find_program(NODE_EXECUTABLE node) # maybe not found yet by interop.cmake (glob order)
if(ARTEMIS_BUILD_TOOLS)
  set(ARTEMIS_RELIABILITY_NODE "")
  if(NODE_EXECUTABLE)
    set(ARTEMIS_RELIABILITY_NODE ${NODE_EXECUTABLE})
  endif()
  set(ARTEMIS_RELIABILITY_GEN "")
  if(TARGET artemis-sample-ipc)
    set(ARTEMIS_RELIABILITY_GEN $<TARGET_FILE:artemis-sample-ipc>)
  endif()
  add_test(NAME reliability.race
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/reliability/race.sh $<TARGET_FILE:artemis-write>
                   "${ARTEMIS_RELIABILITY_NODE}" ${PROJECT_SOURCE_DIR}/tests/interop
                   ${CMAKE_CURRENT_BINARY_DIR}/reliability-race)
  set_tests_properties(reliability.race PROPERTIES LABELS "reliability" TIMEOUT 900)
  # The kill points scale with the write time; under ASan (several times slower) 200 kills
  # would take most of an hour and test the same protocol: release build only.
  if(NOT ARTEMIS_SANITIZE)
    add_test(NAME reliability.crash_loop
             COMMAND bash ${PROJECT_SOURCE_DIR}/tests/reliability/crash_loop.sh 200 $<TARGET_FILE:artemis-write>
                     "${ARTEMIS_RELIABILITY_GEN}" "${ARTEMIS_RELIABILITY_NODE}" ${PROJECT_SOURCE_DIR}/tests/interop
                     ${CMAKE_CURRENT_BINARY_DIR}/reliability-crash-loop)
    set_tests_properties(reliability.crash_loop PROPERTIES LABELS "reliability" TIMEOUT 1200)
    add_test(NAME reliability.crash_loop_long CONFIGURATIONS long
             COMMAND bash ${PROJECT_SOURCE_DIR}/tests/reliability/crash_loop.sh 1000 $<TARGET_FILE:artemis-write>
                     "${ARTEMIS_RELIABILITY_GEN}" "${ARTEMIS_RELIABILITY_NODE}" ${PROJECT_SOURCE_DIR}/tests/interop
                     ${CMAKE_CURRENT_BINARY_DIR}/reliability-crash-loop-long)
    set_tests_properties(reliability.crash_loop_long PROPERTIES LABELS "reliability-long" TIMEOUT 5400)
  endif()
endif()
