/* artemis-write: Arrow IPC (or the built-in sample telemetry) to a Parquet file, and
 * `inspect` for the Parquet files it (or anyone) wrote. */
#include <signal.h>
#include <string.h>

#include "cli.h"

int main(int argc, char** argv) {
  /* A file-size limit must become an EFBIG error (clean abort), not a kill that leaves a
   * stale .inprogress behind. */
  signal(SIGXFSZ, SIG_IGN);
  /* A closed stdout (`--log-json - | head`) must be a write error, not a kill that leaves
   * the .inprogress behind. */
  signal(SIGPIPE, SIG_IGN);
  if (argc >= 2 && strcmp(argv[1], "inspect") == 0) return cli_inspect_command(argc - 1, argv + 1);
  cli_options options;
  int rc = cli_parse_write_args(argc, argv, &options);
  if (rc < 0) return 0;
  if (rc > 0) return rc;
  return cli_write_command(&options);
}
