# fuzz.canary (registered in tests/integration/fuzz.cmake): passes only if libFuzzer finds
# the bug planted by -DARTEMIS_FUZZ_CANARY (src/ipc/ipc_body.c).
#   cmake -DCANARY=<canary target> -DNORMAL=<same target, normal library> -DSECONDS=N
#         -DWORK=<scratch dir> -DSEEDS=<file,file,...> -DCOMMITTED=<dir|dir|...> -P run_canary.cmake
foreach(v CANARY NORMAL SECONDS WORK SEEDS COMMITTED)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_canary.cmake: -D${v}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" committed "${COMMITTED}")

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)

# 1. No committed input triggers the bug: otherwise "found" would mean "replayed".
execute_process(COMMAND ${CANARY} -runs=0 ${committed}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message("${out}")
  message(FATAL_ERROR "fuzz.canary: a committed corpus file already triggers the planted bug (exit ${rc})")
endif()

# 2. libFuzzer, from the seeds, must crash and leave an artifact within the time.
string(TIMESTAMP started "%s")
execute_process(COMMAND ${CANARY} -max_total_time=${SECONDS} -rss_limit_mb=2048 -malloc_limit_mb=160 -timeout=20
                        -max_len=8192 -use_value_profile=1 -print_final_stats=1 -seed_inputs=${SEEDS}
                        -artifact_prefix=${WORK}/artifacts/ ${WORK}/corpus
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
string(TIMESTAMP finished "%s")
math(EXPR took "${finished} - ${started}")
file(GLOB artifacts ${WORK}/artifacts/crash-*)
if(rc EQUAL 0 OR NOT artifacts)
  string(LENGTH "${out}" n)
  if(n GREATER 4000)
    math(EXPR from "${n} - 4000")
    string(SUBSTRING "${out}" ${from} 4000 out)
  endif()
  message("${out}")
  message(FATAL_ERROR "fuzz.canary: libFuzzer did not find the planted bug in ${SECONDS} s (exit ${rc}, artifacts: ${artifacts})")
endif()
if(NOT out MATCHES "AddressSanitizer: heap-buffer-overflow")
  message("${out}")
  message(FATAL_ERROR "fuzz.canary: libFuzzer crashed, but not with the planted heap-buffer-overflow")
endif()
list(GET artifacts 0 artifact)

# 3. The artifact is the planted bug: it crashes the canary build again and passes the
#    normal target (a crash there would be a real bug, reported as such).
execute_process(COMMAND ${CANARY} ${artifact} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(rc EQUAL 0)
  message(FATAL_ERROR "fuzz.canary: ${artifact} does not reproduce on the canary build")
endif()
execute_process(COMMAND ${NORMAL} ${artifact} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message("${out}")
  message(FATAL_ERROR "fuzz.canary: ${artifact} also crashes the normal build: a real bug, not the canary")
endif()
message("fuzz.canary: planted bug found in ${took} s; artifact ${artifact}")
