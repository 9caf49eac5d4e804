#include "support/canonical_child.h"

#include <signal.h>
#include <unistd.h>

#include "artemis/artemis.h"

void canonical_child_write_then_die(const char* path, int64_t total_rows, int batches, int kill_signal) {
  artemis_sample_options so;
  artemis_sample_options_init(&so);
  so.total_rows = total_rows;
  so.batch_rows = 20000;
  artemis_sample* sample;
  struct ArrowSchema schema;
  artemis_writer* w;
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  artemis_writer_options_use_artemis_preset(&o);
  o.row_group_target_bytes = 1 << 20; /* row groups reach the file before the end */
  if (artemis_sample_open(&sample, &so, NULL) || artemis_sample_schema(&schema, NULL) ||
      artemis_writer_open(&w, path, &schema, &o, NULL))
    _exit(3);
  for (int i = 0; i < batches; i++) {
    struct ArrowArray batch;
    if (artemis_sample_next(sample, &batch, NULL)) _exit(4);
    if (artemis_writer_write(w, &batch, NULL)) _exit(5);
    batch.release(&batch);
  }
  if (kill_signal) raise(kill_signal);
  _exit(0); /* never closed */
}
