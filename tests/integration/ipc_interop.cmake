# Arrow IPC input, checked with code we did not write (tests/interop/, see its README):
# - interop.ipc_corpus: every golden/compression case of tests/data/ipc-corpus through the CLI
#   (stream and file by path, stream via stdin); accepted cases verified by arrow-rs, DuckDB,
#   polars and hyparquet against the case's integration JSON; rejected ones must exit 2 with a
#   one-line message naming the column and type (explicit table in ipc_corpus.mjs);
# - interop.ipc_malformed: every malformed input by path and via stdin: exit 2, no signal, no
#   timeout, no output left (in the sanitizer build this runs the ASan/UBSan CLI);
# - interop.ipc_corpus_selftest: the corpus harness can fail (corrupted expectation, flipped table);
# - interop.arrowjs_roundtrip: IPC written by apache-arrow JS from seeded data through the CLI;
# - interop.integration_json_selfcheck: the integration-JSON converter agrees with apache-arrow
#   JS decoding the binary corpus files (and a corrupted conversion is caught).
# NODE_EXECUTABLE may or may not have been found yet by interop.cmake (glob order): find it here.
find_program(NODE_EXECUTABLE node)
set(ARTEMIS_INTEROP_JS ${PROJECT_SOURCE_DIR}/tests/interop)
if(NODE_EXECUTABLE)
  add_test(NAME interop.integration_json_selfcheck
           COMMAND ${NODE_EXECUTABLE} ${ARTEMIS_INTEROP_JS}/integration_json.mjs --selfcheck)
  set_tests_properties(interop.integration_json_selfcheck PROPERTIES LABELS "interop" TIMEOUT 300)
  if(TARGET artemis-write)
    add_test(NAME interop.ipc_corpus
             COMMAND ${NODE_EXECUTABLE} ${ARTEMIS_INTEROP_JS}/ipc_corpus.mjs --cli $<TARGET_FILE:artemis-write> --part golden)
    set_tests_properties(interop.ipc_corpus PROPERTIES LABELS "interop" TIMEOUT 900)
    add_test(NAME interop.ipc_malformed
             COMMAND ${NODE_EXECUTABLE} ${ARTEMIS_INTEROP_JS}/ipc_corpus.mjs --cli $<TARGET_FILE:artemis-write> --part malformed)
    set_tests_properties(interop.ipc_malformed PROPERTIES LABELS "interop" TIMEOUT 900)
    add_test(NAME interop.ipc_corpus_selftest
             COMMAND ${NODE_EXECUTABLE} ${ARTEMIS_INTEROP_JS}/ipc_corpus.mjs --cli $<TARGET_FILE:artemis-write> --selftest-corrupt)
    set_tests_properties(interop.ipc_corpus_selftest PROPERTIES LABELS "interop" TIMEOUT 600)
    add_test(NAME interop.arrowjs_roundtrip
             COMMAND ${NODE_EXECUTABLE} ${ARTEMIS_INTEROP_JS}/arrowjs_roundtrip.mjs --cli $<TARGET_FILE:artemis-write>)
    set_tests_properties(interop.arrowjs_roundtrip PROPERTIES LABELS "interop" TIMEOUT 600)
  else()
    message(WARNING "artemis-write is not built (ARTEMIS_BUILD_TOOLS=OFF): the IPC interop tests are registered as failing")
    foreach(t interop.ipc_corpus interop.ipc_malformed interop.ipc_corpus_selftest interop.arrowjs_roundtrip)
      add_test(NAME ${t} COMMAND ${CMAKE_COMMAND} -E false)
      set_tests_properties(${t} PROPERTIES LABELS "interop")
    endforeach()
  endif()
else()
  message(WARNING "node not found: the IPC interop tests are registered as failing")
  foreach(t interop.integration_json_selfcheck interop.ipc_corpus interop.ipc_malformed interop.ipc_corpus_selftest interop.arrowjs_roundtrip)
    add_test(NAME ${t} COMMAND ${CMAKE_COMMAND} -E false)
    set_tests_properties(${t} PROPERTIES LABELS "interop")
  endforeach()
endif()
