/* artemis-write: Arrow IPC (or the built-in sample telemetry) to a Parquet file, and
 * `inspect` for the Parquet files it (or anyone) wrote. */
#include <signal.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"

int main(int argc, char** argv) {
  /* A file-size limit must become an EFBIG error (clean abort), not a kill that leaves a
   * stale .inprogress behind. */
  signal(SIGXFSZ, SIG_IGN);
  /* A closed stdout (`--log-json - | head`) must be a write error, not a kill that leaves
   * the .inprogress behind. */
  signal(SIGPIPE, SIG_IGN);
#ifdef __GLIBC__
  /* Input batches (~15 MB each) and page buffers come and go all the time. glibc's default
   * raises its mmap threshold every time such a block is freed, after which they are carved
   * from the heap, which then fragments: the process held 94 MB where the writer holds
   * 40 MB (10M canonical rows, 2 threads). A fixed threshold keeps big blocks in their own
   * mappings, returned on free: 54 MB for the same run. */
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
  if (argc >= 2 && strcmp(argv[1], "inspect") == 0) return cli_inspect_command(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "s3-gc") == 0) return cli_s3_gc_command(argc - 1, argv + 1);
  cli_options options;
  int rc = cli_parse_write_args(argc, argv, &options);
  if (rc < 0) return 0;
  if (rc > 0) return rc;
  return cli_write_command(&options);
}
