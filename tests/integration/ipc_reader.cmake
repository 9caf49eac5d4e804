# The Arrow IPC reader tests need the vendored corpus (tests/data/ipc-corpus) and zlib to
# read the corpus's expected-value .json.gz files. The test executables themselves are
# the unit tests tests/unit/ipc_reader_test.c and tests/unit/ipc_corpus_test.c.
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)
if(TARGET ipc_corpus_test)
  target_link_libraries(ipc_corpus_test PRIVATE PkgConfig::ZLIB)
  target_compile_definitions(ipc_corpus_test PRIVATE
    ARTEMIS_IPC_CORPUS_DIR="${PROJECT_SOURCE_DIR}/tests/data/ipc-corpus")
  set_tests_properties(unit.ipc_corpus_test PROPERTIES TIMEOUT 600)
endif()
if(TARGET ipc_reader_test)
  target_compile_definitions(ipc_reader_test PRIVATE
    ARTEMIS_IPC_CORPUS_DIR="${PROJECT_SOURCE_DIR}/tests/data/ipc-corpus")
endif()
