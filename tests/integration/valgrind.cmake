# Memcheck on small runs (label `valgrind`): a second memory checker next to the ASan build,
# on the real binaries: uninitialised reads that ASan does not see, and definite leaks.
# Only in builds without sanitizers (valgrind and ASan do not mix), and only where valgrind
# is installed. Kept small: about 80 s in all on 2 cores (writer_strategy_test, which
# compares many thread counts on canonical writes, would take minutes and is left to ASan).
find_program(ARTEMIS_VALGRIND valgrind)
if(NOT ARTEMIS_SANITIZE AND ARTEMIS_VALGRIND)
  set(vg ${ARTEMIS_VALGRIND} -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
         --trace-children=no)
  set(vg_work ${CMAKE_CURRENT_BINARY_DIR}/valgrind-work)
  file(MAKE_DIRECTORY ${vg_work})

  foreach(t writer_test memory_sink_test ipc_reader_test events_json_test thrift_compact_test)
    add_test(NAME valgrind.unit.${t} COMMAND ${vg} $<TARGET_FILE:${t}>)
    set_tests_properties(valgrind.unit.${t} PROPERTIES LABELS "valgrind" TIMEOUT 300)
  endforeach()

  if(ARTEMIS_BUILD_TOOLS)
    # The CLI writing the canonical sample, with one and two encoding threads (the worker
    # pool's hand-off is where uninitialised scratch would show). The output must not
    # exist beforehand (the writer never replaces a file), so each run removes its own.
    foreach(threads 1 2)
      set(out ${vg_work}/sample-t${threads}.parquet)
      add_test(NAME valgrind.cli.sample_threads${threads}
               COMMAND sh -c "rm -f '${out}' && exec \"$@\"" sh ${vg} $<TARGET_FILE:artemis-write>
                       --sample 20000 --threads ${threads} -o ${out})
      set_tests_properties(valgrind.cli.sample_threads${threads} PROPERTIES LABELS "valgrind" TIMEOUT 300)
    endforeach()
    # An IPC stream through stdin (a pipe: the sequential reader, buffers grown as bytes
    # arrive), 20,000 canonical rows in 4 batches from artemis-sample-ipc.
    set(out ${vg_work}/stdin.parquet)
    add_test(NAME valgrind.cli.ipc_stdin
             COMMAND bash -c "set -o pipefail; rm -f '${out}' && \"$1\" --rows 20000 --batch-rows 5000 -o - | \"\${@:2}\" - -o '${out}'"
                     bash $<TARGET_FILE:artemis-sample-ipc> ${vg} $<TARGET_FILE:artemis-write>)
    set_tests_properties(valgrind.cli.ipc_stdin PROPERTIES LABELS "valgrind" TIMEOUT 300)
  endif()
endif()
