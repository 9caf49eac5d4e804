# Fuzzing the writer with foreign C Data Interface batches (fuzz/cdata_writer_fuzz.c):
# - every build replays the committed corpus (regression inputs, incl. the ones that found
#   the offset/length overflow bugs) with a plain driver;
# - the clang sanitizer build also runs libFuzzer for a bounded time.
set(ARTEMIS_FUZZ_SOURCE ${PROJECT_SOURCE_DIR}/fuzz/cdata_writer_fuzz.c)
file(GLOB ARTEMIS_CDATA_CORPUS ${PROJECT_SOURCE_DIR}/fuzz/corpora/cdata_writer/*)

add_executable(cdata_writer_replay ${ARTEMIS_FUZZ_SOURCE})
target_compile_definitions(cdata_writer_replay PRIVATE FUZZ_MAIN FUZZ_MISALIGN=1 _GNU_SOURCE)
target_include_directories(cdata_writer_replay PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(cdata_writer_replay PRIVATE artemis)
add_test(NAME fuzz.cdata_writer.replay COMMAND cdata_writer_replay ${ARTEMIS_CDATA_CORPUS})
set_tests_properties(fuzz.cdata_writer.replay PROPERTIES LABELS "fuzz" TIMEOUT 600)

if(ARTEMIS_SANITIZE AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(cdata_writer_fuzz ${ARTEMIS_FUZZ_SOURCE})
  target_compile_definitions(cdata_writer_fuzz PRIVATE FUZZ_MISALIGN=1 _GNU_SOURCE)
  target_compile_options(cdata_writer_fuzz PRIVATE -fsanitize=fuzzer)
  target_link_options(cdata_writer_fuzz PRIVATE -fsanitize=fuzzer)
  target_include_directories(cdata_writer_fuzz PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(cdata_writer_fuzz PRIVATE artemis)
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
