# CLI tests (zstd style): command, expected exit code, expected stderr pattern, and what
# is left on disk. They run the real binary, in both the release and the sanitizer build.
if(ARTEMIS_BUILD_TOOLS)
  add_test(NAME cli.tests
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/cli/cli_test.sh $<TARGET_FILE:artemis-write>
                   ${PROJECT_SOURCE_DIR}/tests/data/ipc-corpus)
  set_tests_properties(cli.tests PROPERTIES LABELS "cli" TIMEOUT 600)
endif()
