# S3 multipart sink against moto_server (label `s3`): tests/s3/s3_test.sh starts moto with
# signature checking on at a free port and stops it by PID. Skipped (77) without moto/boto3.
# s3.roundtrip: roundtrip (read back by arrow-rs and DuckDB through tests/interop/verify.mjs,
# values from interop_gen_cases; fails without node or `npm ci` in tests/interop), nothing
# visible mid-upload, s3-gc, no overwrite, bad names, and fault cases through
# tests/s3/fault_proxy.py (5xx, reset, bad ETag, lost Complete reply, s3-gc age filter).
if(ARTEMIS_BUILD_TOOLS AND ARTEMIS_WITH_S3)
  find_program(NODE_EXECUTABLE node) # maybe not found yet by interop.cmake (glob order)
  set(ARTEMIS_S3_NODE "")
  if(NODE_EXECUTABLE)
    set(ARTEMIS_S3_NODE ${NODE_EXECUTABLE})
  endif()
  add_test(NAME s3.roundtrip
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/s3/s3_test.sh $<TARGET_FILE:artemis-write>
                   "${ARTEMIS_S3_NODE}" ${PROJECT_SOURCE_DIR}/tests/interop $<TARGET_FILE:interop_gen_cases>
                   ${CMAKE_CURRENT_BINARY_DIR}/s3-roundtrip)
  set_tests_properties(s3.roundtrip PROPERTIES LABELS "s3" TIMEOUT 600 SKIP_RETURN_CODE 77)
endif()

# The public S3 API (include/artemis/s3.h) from C against moto: tests/s3/s3_writer_test.sh
# starts moto like s3_test.sh and runs tests/s3/s3_writer_test.c. Skipped (77) without moto.
if(ARTEMIS_WITH_S3)
  add_executable(s3_writer_test ${PROJECT_SOURCE_DIR}/tests/s3/s3_writer_test.c)
  target_link_libraries(s3_writer_test PRIVATE artemis_test_support PkgConfig::CURL)
  artemis_set_warnings(s3_writer_test)
  add_test(NAME s3.writer_api
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/s3/s3_writer_test.sh $<TARGET_FILE:s3_writer_test>
                   ${CMAKE_CURRENT_BINARY_DIR}/s3-writer-api)
  set_tests_properties(s3.writer_api PROPERTIES LABELS "s3" TIMEOUT 600 SKIP_RETURN_CODE 77)
endif()
