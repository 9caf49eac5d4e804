# Fuzzing the writer with foreign C Data Interface batches (fuzz/cdata_writer_fuzz.c):
# - every build replays the committed corpus (regression inputs, incl. the ones that found
#   the offset/length overflow bugs) with a plain driver;
# - the clang sanitizer build also runs libFuzzer for a bounded time.
if(ARTEMIS_SANITIZE AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  # libFuzzer only sees the coverage of code built with its instrumentation: the targets
  # link their own copy of the library compiled with -fsanitize=fuzzer-no-link (the plain
  # `artemis` would leave the reader invisible to it: ~230 edges, all in the harness).
  get_target_property(ipc_fuzz_defs artemis_objects COMPILE_DEFINITIONS)
  get_target_property(ipc_fuzz_libs artemis_objects LINK_LIBRARIES)
  add_library(artemis_fuzzcov STATIC EXCLUDE_FROM_ALL ${ARTEMIS_SOURCES})
  target_include_directories(artemis_fuzzcov PUBLIC ${PROJECT_SOURCE_DIR}/include PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(artemis_fuzzcov PRIVATE ${ipc_fuzz_defs})
  target_compile_options(artemis_fuzzcov PRIVATE -fsanitize=fuzzer-no-link)
  target_link_libraries(artemis_fuzzcov PUBLIC ${ipc_fuzz_libs} m)
  artemis_set_warnings(artemis_fuzzcov)
endif()

set(ARTEMIS_FUZZ_SOURCE ${PROJECT_SOURCE_DIR}/fuzz/cdata_writer_fuzz.c)
file(GLOB ARTEMIS_CDATA_CORPUS ${PROJECT_SOURCE_DIR}/fuzz/corpora/cdata_writer/*)

add_executable(cdata_writer_replay ${ARTEMIS_FUZZ_SOURCE})
target_compile_definitions(cdata_writer_replay PRIVATE FUZZ_MAIN FUZZ_MISALIGN=1 _GNU_SOURCE)
target_include_directories(cdata_writer_replay PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(cdata_writer_replay PRIVATE artemis)
artemis_set_warnings(cdata_writer_replay)
add_test(NAME fuzz.cdata_writer.replay COMMAND cdata_writer_replay ${ARTEMIS_CDATA_CORPUS})
set_tests_properties(fuzz.cdata_writer.replay PROPERTIES LABELS "fuzz" TIMEOUT 600)

if(ARTEMIS_SANITIZE AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(cdata_writer_fuzz ${ARTEMIS_FUZZ_SOURCE})
  target_compile_definitions(cdata_writer_fuzz PRIVATE FUZZ_MISALIGN=1 _GNU_SOURCE)
  target_compile_options(cdata_writer_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_options(cdata_writer_fuzz PRIVATE -fsanitize=fuzzer)
  target_include_directories(cdata_writer_fuzz PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(cdata_writer_fuzz PRIVATE artemis_fuzzcov)
  artemis_set_warnings(cdata_writer_fuzz)
  set(ARTEMIS_FUZZ_SECONDS 60 CACHE STRING "libFuzzer time per target in CTest")
  set(fuzz_work ${CMAKE_CURRENT_BINARY_DIR}/fuzz-cdata-writer)
  file(MAKE_DIRECTORY ${fuzz_work}/corpus ${fuzz_work}/artifacts)
  add_test(NAME fuzz.cdata_writer.run
           COMMAND cdata_writer_fuzz -max_total_time=${ARTEMIS_FUZZ_SECONDS} -rss_limit_mb=2048
                   -malloc_limit_mb=512 -max_len=8192 -print_final_stats=1
                   -artifact_prefix=${fuzz_work}/artifacts/ ${fuzz_work}/corpus
                   ${PROJECT_SOURCE_DIR}/fuzz/corpora/cdata_writer)
  set_tests_properties(fuzz.cdata_writer.run PROPERTIES LABELS "fuzz" TIMEOUT 900)
endif()

# Fuzzing the Arrow IPC reader (fuzz/ipc_reader_fuzz.c): the input bytes are read from
# memory, by path, sequentially from a descriptor, through a pipe, and from memory with
# one allocation failing; every batch is checked structurally, outlives the reader, and
# goes through the Parquet writer.
# - every build replays the committed corpus (golden/compression seeds, Arrow JS files,
#   crash reproducers) and the vendored malformed corpus with a plain driver (directories
#   are expanded by the driver);
# - the clang sanitizer build also runs libFuzzer for a bounded time, without a
#   dictionary, with the reader limits tightened in the target (64 MiB bodies and
#   dictionaries, 1 MiB metadata) and -malloc_limit_mb just above them, so an allocation
#   beyond the reader's limits is a failure.
set(ARTEMIS_IPC_FUZZ_SOURCE ${PROJECT_SOURCE_DIR}/fuzz/ipc_reader_fuzz.c)
set(ARTEMIS_IPC_FUZZ_CORPUS ${PROJECT_SOURCE_DIR}/fuzz/corpora/ipc_reader)

add_executable(ipc_reader_replay ${ARTEMIS_IPC_FUZZ_SOURCE} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.c)
target_compile_definitions(ipc_reader_replay PRIVATE FUZZ_MAIN _GNU_SOURCE)
target_link_libraries(ipc_reader_replay PRIVATE artemis)
artemis_set_warnings(ipc_reader_replay)
add_test(NAME fuzz.ipc_reader.replay
         COMMAND ipc_reader_replay ${ARTEMIS_IPC_FUZZ_CORPUS} ${PROJECT_SOURCE_DIR}/tests/data/ipc-corpus/malformed)
set_tests_properties(fuzz.ipc_reader.replay PROPERTIES LABELS "fuzz" TIMEOUT 600)

if(ARTEMIS_SANITIZE AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(ipc_reader_fuzz ${ARTEMIS_IPC_FUZZ_SOURCE})
  target_compile_definitions(ipc_reader_fuzz PRIVATE _GNU_SOURCE)
  target_compile_options(ipc_reader_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_options(ipc_reader_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_libraries(ipc_reader_fuzz PRIVATE artemis_fuzzcov)
  artemis_set_warnings(ipc_reader_fuzz)
  set(ARTEMIS_FUZZ_SECONDS 60 CACHE STRING "libFuzzer time per target in CTest")
  set(ipc_fuzz_work ${CMAKE_CURRENT_BINARY_DIR}/fuzz-ipc-reader)
  file(MAKE_DIRECTORY ${ipc_fuzz_work}/corpus ${ipc_fuzz_work}/artifacts)
  add_test(NAME fuzz.ipc_reader.run
           COMMAND ipc_reader_fuzz -max_total_time=${ARTEMIS_FUZZ_SECONDS} -rss_limit_mb=2048
                   -malloc_limit_mb=80 -timeout=20 -max_len=262144 -use_value_profile=1
                   -print_final_stats=1 -artifact_prefix=${ipc_fuzz_work}/artifacts/
                   ${ipc_fuzz_work}/corpus ${ARTEMIS_IPC_FUZZ_CORPUS})
  set_tests_properties(fuzz.ipc_reader.run PROPERTIES LABELS "fuzz" TIMEOUT 900)
endif()

# End to end into memory (fuzz/ipc_to_parquet_fuzz.c): IPC bytes -> reader -> writer ->
# memory sink -> the produced footer and page headers read back with the bounded Thrift
# reader; nothing touches the disk.
# - every build replays its corpus (seeds copied from the ipc_reader corpus and canonical
#   sample streams) and the vendored malformed corpus;
# - the clang sanitizer build runs libFuzzer for ARTEMIS_FUZZ_SECONDS.
set(ARTEMIS_E2E_FUZZ_SOURCE ${PROJECT_SOURCE_DIR}/fuzz/ipc_to_parquet_fuzz.c)
set(ARTEMIS_E2E_FUZZ_CORPUS ${PROJECT_SOURCE_DIR}/fuzz/corpora/ipc_to_parquet)

add_executable(ipc_to_parquet_replay ${ARTEMIS_E2E_FUZZ_SOURCE} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.c)
target_compile_definitions(ipc_to_parquet_replay PRIVATE FUZZ_MAIN _GNU_SOURCE)
target_include_directories(ipc_to_parquet_replay PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(ipc_to_parquet_replay PRIVATE artemis)
artemis_set_warnings(ipc_to_parquet_replay)
add_test(NAME fuzz.ipc_to_parquet.replay
         COMMAND ipc_to_parquet_replay ${ARTEMIS_E2E_FUZZ_CORPUS} ${PROJECT_SOURCE_DIR}/tests/data/ipc-corpus/malformed)
set_tests_properties(fuzz.ipc_to_parquet.replay PROPERTIES LABELS "fuzz" TIMEOUT 600)

if(ARTEMIS_SANITIZE AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(ipc_to_parquet_fuzz ${ARTEMIS_E2E_FUZZ_SOURCE})
  target_compile_definitions(ipc_to_parquet_fuzz PRIVATE _GNU_SOURCE)
  target_compile_options(ipc_to_parquet_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_options(ipc_to_parquet_fuzz PRIVATE -fsanitize=fuzzer)
  target_include_directories(ipc_to_parquet_fuzz PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(ipc_to_parquet_fuzz PRIVATE artemis_fuzzcov)
  artemis_set_warnings(ipc_to_parquet_fuzz)
  set(e2e_fuzz_work ${CMAKE_CURRENT_BINARY_DIR}/fuzz-ipc-to-parquet)
  file(MAKE_DIRECTORY ${e2e_fuzz_work}/corpus ${e2e_fuzz_work}/artifacts)
  # -malloc_limit_mb: the reader's 64 MiB body limit plus the 32 MiB output cap and the
  # writer's pages.
  add_test(NAME fuzz.ipc_to_parquet.run
           COMMAND ipc_to_parquet_fuzz -max_total_time=${ARTEMIS_FUZZ_SECONDS} -rss_limit_mb=2048
                   -malloc_limit_mb=160 -timeout=20 -max_len=262144 -use_value_profile=1
                   -print_final_stats=1 -artifact_prefix=${e2e_fuzz_work}/artifacts/
                   ${e2e_fuzz_work}/corpus ${ARTEMIS_E2E_FUZZ_CORPUS})
  set_tests_properties(fuzz.ipc_to_parquet.run PROPERTIES LABELS "fuzz" TIMEOUT 900)

  # The canary: proof that this setup finds a bug. A third instrumented copy of the library
  # with -DARTEMIS_FUZZ_CANARY plants one (src/ipc/ipc_body.c: a write past the children
  # of a 3-column record batch whose row count is 0x1234 mod 2^16). fuzz/run_canary.cmake
  # passes only if (1) no committed corpus file triggers it, (2) libFuzzer, starting from
  # the committed seeds, reports a crash and writes an artifact within the time, and
  # (3) that artifact crashes the canary build but not the normal target (so what was
  # found is the planted bug, not a real one). Normal builds never contain the bug.
  add_library(artemis_fuzzcov_canary STATIC EXCLUDE_FROM_ALL ${ARTEMIS_SOURCES})
  target_include_directories(artemis_fuzzcov_canary PUBLIC ${PROJECT_SOURCE_DIR}/include PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(artemis_fuzzcov_canary PRIVATE ${ipc_fuzz_defs} ARTEMIS_FUZZ_CANARY)
  target_compile_options(artemis_fuzzcov_canary PRIVATE -fsanitize=fuzzer-no-link)
  target_link_libraries(artemis_fuzzcov_canary PUBLIC ${ipc_fuzz_libs} m)
  artemis_set_warnings(artemis_fuzzcov_canary)
  add_executable(ipc_to_parquet_canary_fuzz ${ARTEMIS_E2E_FUZZ_SOURCE})
  target_compile_definitions(ipc_to_parquet_canary_fuzz PRIVATE _GNU_SOURCE)
  target_compile_options(ipc_to_parquet_canary_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_options(ipc_to_parquet_canary_fuzz PRIVATE -fsanitize=fuzzer)
  target_include_directories(ipc_to_parquet_canary_fuzz PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(ipc_to_parquet_canary_fuzz PRIVATE artemis_fuzzcov_canary)
  artemis_set_warnings(ipc_to_parquet_canary_fuzz)
  set(ARTEMIS_CANARY_SECONDS 120 CACHE STRING "libFuzzer time budget of fuzz.canary")
  # The committed 3-column seeds (the bug needs a 3-column schema): from them libFuzzer
  # found it in 2-11 s in three runs (~500-1000 exec/s); from the whole corpus it took
  # 10-97 s.
  set(canary_seeds "${ARTEMIS_E2E_FUZZ_CORPUS}/polars-utf8view.stream,${ARTEMIS_E2E_FUZZ_CORPUS}/golden-cpp-21.0.0-generated_dictionary.stream,${ARTEMIS_E2E_FUZZ_CORPUS}/golden-cpp-21.0.0-generated_nested.stream")
  add_test(NAME fuzz.canary
           COMMAND ${CMAKE_COMMAND} -DCANARY=$<TARGET_FILE:ipc_to_parquet_canary_fuzz>
                   -DNORMAL=$<TARGET_FILE:ipc_to_parquet_fuzz> -DSECONDS=${ARTEMIS_CANARY_SECONDS}
                   -DWORK=${CMAKE_CURRENT_BINARY_DIR}/fuzz-canary
                   "-DSEEDS=${canary_seeds}"
                   "-DCOMMITTED=${ARTEMIS_E2E_FUZZ_CORPUS}|${ARTEMIS_IPC_FUZZ_CORPUS}|${PROJECT_SOURCE_DIR}/tests/data/ipc-corpus/malformed"
                   -P ${PROJECT_SOURCE_DIR}/fuzz/run_canary.cmake)
  set_tests_properties(fuzz.canary PROPERTIES LABELS "fuzz" TIMEOUT 600)
endif()
