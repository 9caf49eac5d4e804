/* Internal writer entry points that are not part of the public API (include/artemis/).
 *
 * artemis_writer_open_with_sink is the seam between the writer and where its bytes go:
 * artemis_writer_open() is this with the atomic local file sink; tests and the fuzz
 * targets use the memory sink (publish/sink.h). A sink that must allocate through the
 * writer's own allocator (the S3 sink's part buffers) is opened by the writer itself,
 * through artemis_writer_open_with_sink_opener. The bytes written do not depend on the
 * sink. */
#ifndef ARTEMIS_FILE_WRITER_INTERNAL_H
#define ARTEMIS_FILE_WRITER_INTERNAL_H

#include "artemis/writer.h"
#include "publish/sink.h"

/* Like artemis_writer_open(), writing into `sink` instead of a file. `sink` must be freshly
 * opened (nothing written: offset 0). Ownership of `sink` passes to the writer in every
 * case, also when this fails (the sink is then discarded): close publishes it, abort and
 * any failure discard it. The summary's and the file_published event's path is
 * "(sink)". Error codes as for artemis_writer_open(), without the file system ones. */
int artemis_writer_open_with_sink(artemis_writer** out, artemis_sink* sink, const struct ArrowSchema* schema,
                                  const artemis_writer_options* options, artemis_error* error);

/* Opens the sink for a writer: `mem` is the writer's (counted in its peak, capped by its
 * memory_limit_bytes) and outlives the sink, because the writer publishes or discards the
 * sink before destroying its mem, on every path. On failure *out stays NULL and nothing is
 * left behind. */
typedef int (*artemis_sink_open_fn)(void* context, artemis_mem* mem, artemis_sink** out, artemis_error* error);

/* Like artemis_writer_open(), with the sink opened by `open_sink(context, ...)` once the
 * schema and options have been accepted (so a refused schema starts no upload), and
 * `label` as the summary's and the file_published event's path. */
int artemis_writer_open_with_sink_opener(artemis_writer** out, const char* label, artemis_sink_open_fn open_sink,
                                         void* context, const struct ArrowSchema* schema,
                                         const artemis_writer_options* options, artemis_error* error);

#endif
