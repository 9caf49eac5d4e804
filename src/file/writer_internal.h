/* Internal writer entry points that are not part of the public API (include/artemis/).
 *
 * artemis_writer_open_with_sink is the seam between the writer and where its bytes go:
 * artemis_writer_open() is this with the atomic local file sink; tests and the fuzz
 * targets use the memory sink (publish/sink.h), and a later S3 multipart sink plugs in
 * here the same way. The bytes written do not depend on the sink. */
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

#endif
