# S3 multipart sink against moto_server (label `s3`): tests/s3/s3_test.sh starts moto with
# signature checking on at a free port and stops it by PID. Skipped (77) without moto/boto3.
if(ARTEMIS_BUILD_TOOLS AND ARTEMIS_WITH_S3)
  add_test(NAME s3.roundtrip
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/s3/s3_test.sh $<TARGET_FILE:artemis-write>
                   ${CMAKE_CURRENT_BINARY_DIR}/s3-roundtrip)
  set_tests_properties(s3.roundtrip PROPERTIES LABELS "s3" TIMEOUT 600 SKIP_RETURN_CODE 77)
endif()
