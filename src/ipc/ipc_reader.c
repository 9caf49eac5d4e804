/* The public IPC reader: format detection, message framing, and the order in which
 * messages are read (a stream sequentially; a seekable file through its footer). */
#include "artemis/ipc_reader.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "core/memory.h"
#include "ipc/flatbuffer_reader.h"
#include "ipc/ipc_array.h"
#include "ipc/ipc_body.h"
#include "ipc/ipc_byteswap.h"
#include "ipc/ipc_codec.h"
#include "ipc/ipc_dictionaries.h"
#include "ipc/ipc_footer.h"
#include "ipc/ipc_metadata.h"
#include "ipc/ipc_schema.h"
#include "ipc/ipc_source.h"

#define CONTINUATION_MARKER 0xFFFFFFFFu

struct artemis_ipc_reader {
  artemis_ipc_reader_options options;
  const artemis_allocator* allocator;
  artemis_mem mem;
  artemis_ipc_source source;
  artemis_ipc_reader_info info;
  artemis_ipc_schema schema;
  bool have_dictionaries;
  artemis_ipc_dictionaries dictionaries;
  artemis_ipc_codec codec;
  bool swap;
  /* File format read through its footer. */
  bool via_footer;
  artemis_ipc_footer footer;
  bool footer_dictionaries_read;
  int64_t next_block;
  /* State. */
  int64_t message_index; /* of the next message */
  bool failed;
  bool finished;
  int64_t shared_nodes; /* dictionary nodes copied into batches (ipc_body.h) */
  artemis_ipc_recycler* recycler; /* the last released body's block, for the next body */
};

/* Dictionary nodes copied into batches: at most this many per input byte, plus
 * SHARE_SLACK. While bounding the work per input byte for the fuzz target, a 2.5 MB stream
 * (a struct dictionary of 20,000 children, then 2,000 one-row batches) made 40 million
 * nodes in 7.5 s, and the cost grows with children x batches. A flat dictionary costs
 * one node per column of a batch, which takes at least 48 bytes of metadata; a nested
 * one a node per child, so real streams stay far below 4 per byte. */
#define SHARE_NODES_PER_INPUT_BYTE 4
#define SHARE_SLACK ((int64_t)1 << 20)

void artemis_ipc_reader_options_init(artemis_ipc_reader_options* options) {
  if (!options) return;
  memset(options, 0, sizeof *options);
  options->version = ARTEMIS_IPC_READER_OPTIONS_VERSION;
  options->max_metadata_bytes = (int64_t)16 << 20;
  options->max_body_bytes = (int64_t)2 << 30;
  options->max_fields = 100000;
  options->max_nesting_depth = 64;
  options->max_dictionary_bytes = (int64_t)1 << 30;
  options->allocator = NULL;
}

/* ---- message framing ---- */

/* One encapsulated message: prefix, Message flatbuffer, body. */
typedef struct framed_message {
  bool end_of_stream;
  bool legacy; /* no continuation marker */
  int64_t start;
  const uint8_t* metadata;
  void* metadata_block;
  artemis_ipc_message message;
  bool decoded;
  const uint8_t* body;
  void* body_block;
  int64_t body_at;
} framed_message;

static void framed_free(artemis_ipc_reader* r, framed_message* m) {
  artemis_ipc_block_free(r->allocator, m->metadata_block);
  artemis_ipc_block_free(r->allocator, m->body_block);
  if (m->decoded) artemis_ipc_message_free(&r->mem, &m->message);
  memset(m, 0, sizeof *m);
}

/* `n` bytes above `limit` fail with ARTEMIS_E_LIMIT, unless the input is known to end
 * before them (then the take that follows reports the truncation, the truer story). */
static int check_limit(artemis_ipc_reader* r, int64_t n, int64_t limit, const char* what, int64_t at,
                       artemis_error* error) {
  int64_t remaining = artemis_ipc_source_remaining(&r->source);
  if (n <= limit || (remaining >= 0 && n > remaining)) return ARTEMIS_OK;
  return artemis_set_error_at(error, ARTEMIS_E_LIMIT, -1, -1, at,
                              "message %lld: %s of %lld bytes is above the limit of %lld (byte %lld)",
                              (long long)r->message_index, what, (long long)n, (long long)limit, (long long)at);
}

/* Reads the next message. `block` (file format through the footer) bounds it; NULL reads
 * a stream, where end-of-stream is the marker, 4 zero bytes or the end of the input.
 * `first_word`: the message's first 4 bytes when format detection already read them. */
static int read_message(artemis_ipc_reader* r, const artemis_ipc_block* block, const uint8_t* first_word,
                        framed_message* m, artemis_error* error) {
  memset(m, 0, sizeof *m);
  artemis_ipc_source* src = &r->source;
  m->start = src->position - (first_word ? 4 : 0);
  uint8_t word[4];
  size_t got = 4;
  if (first_word) memcpy(word, first_word, 4);
  else ARTEMIS_RETURN_NOT_OK(artemis_ipc_source_read(src, word, 4, &got, error));
  if (got == 0 && !block) {
    m->end_of_stream = true;
    return ARTEMIS_OK;
  }
  if (got < 4)
    return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, m->start,
                                "message %lld: input truncated inside the message prefix (byte %lld)",
                                (long long)r->message_index, (long long)m->start);
  int64_t prefix = 4;
  if (artemis_load_u32le(word) == CONTINUATION_MARKER) {
    ARTEMIS_RETURN_NOT_OK(artemis_ipc_source_read(src, word, 4, &got, error));
    if (got < 4)
      return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, m->start,
                                  "message %lld: input truncated inside the message length (byte %lld)",
                                  (long long)r->message_index, (long long)m->start);
    prefix = 8;
  } else {
    m->legacy = true;
  }
  int32_t len = artemis_load_i32le(word);
  if (len == 0) {
    if (block)
      return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, m->start,
                                  "message %lld: a footer block points at an end-of-stream marker (byte %lld)",
                                  (long long)r->message_index, (long long)m->start);
    m->end_of_stream = true;
    return ARTEMIS_OK;
  }
  if (len < 0)
    return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, m->start,
                                "message %lld: negative metadata length %d (byte %lld)", (long long)r->message_index,
                                (int)len, (long long)m->start);
  if (block && prefix + len > block->metadata_length)
    return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, m->start,
                                "message %lld: metadata of %lld bytes overruns the block's metaDataLength %d (byte "
                                "%lld)",
                                (long long)r->message_index, (long long)(prefix + len), (int)block->metadata_length,
                                (long long)m->start);
  int64_t metadata_at = m->start + prefix;
  char label[64];
  snprintf(label, sizeof label, "message %lld metadata", (long long)r->message_index);
  ARTEMIS_RETURN_NOT_OK(check_limit(r, len, r->options.max_metadata_bytes, "metadata", metadata_at, error));
  ARTEMIS_RETURN_NOT_OK(artemis_ipc_source_take(src, len, label, &m->metadata, &m->metadata_block, error));
  ARTEMIS_RETURN_NOT_OK(artemis_ipc_decode_message(&r->mem, m->metadata, (size_t)len, metadata_at, r->message_index,
                                                   &r->options, &m->message, error));
  m->decoded = true;
  int64_t body_length = m->message.body_length;
  if (block) {
    if (body_length > block->body_length)
      return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, m->start,
                                  "message %lld: body of %lld bytes overruns the block's bodyLength %lld (byte %lld)",
                                  (long long)r->message_index, (long long)body_length, (long long)block->body_length,
                                  (long long)m->start);
    ARTEMIS_RETURN_NOT_OK(artemis_ipc_source_seek(src, block->offset + block->metadata_length, error));
  }
  m->body_at = src->position;
  snprintf(label, sizeof label, "message %lld body", (long long)r->message_index);
  ARTEMIS_RETURN_NOT_OK(check_limit(r, body_length, r->options.max_body_bytes, "body", m->body_at, error));
  ARTEMIS_RETURN_NOT_OK(
      artemis_ipc_source_take_into(src, body_length, label, r->recycler, &m->body, &m->body_block, error));
  r->message_index++;
  r->info.messages_read++;
  return ARTEMIS_OK;
}

static int not_a_batch_stream(artemis_ipc_reader* r, const framed_message* m, artemis_error* error) {
  return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, m->start,
                              "message %lld: not a record-batch stream (a %s message) (byte %lld)",
                              (long long)(r->message_index - 1),
                              m->message.header == ARTEMIS_IPC_HEADER_TENSOR ? "Tensor" : "SparseTensor",
                              (long long)m->start);
}

static int unexpected(artemis_ipc_reader* r, const framed_message* m, const char* what, artemis_error* error) {
  return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, m->start, "message %lld: %s (byte %lld)",
                              (long long)(r->message_index - 1), what, (long long)m->start);
}

/* ---- schema, dictionaries, batches ---- */

static int take_schema(artemis_ipc_reader* r, framed_message* m, artemis_error* error) {
  if (m->end_of_stream)
    return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, m->start,
                                "message 0: the input ends before any Schema message (byte %lld)", (long long)m->start);
  if (m->message.header == ARTEMIS_IPC_HEADER_TENSOR || m->message.header == ARTEMIS_IPC_HEADER_SPARSE_TENSOR)
    return not_a_batch_stream(r, m, error);
  if (m->message.header != ARTEMIS_IPC_HEADER_SCHEMA && r->info.format == ARTEMIS_IPC_FORMAT_FILE)
    /* Only the footer holds the schema of such a file (Arrow JS writes them), and a pipe
     * cannot seek to it. */
    return artemis_set_error_at(error, ARTEMIS_E_UNSUPPORTED, -1, -1, m->start,
                                "message 0: this Arrow file has no Schema message before its footer, so it cannot be "
                                "read from a pipe; give its path, or send the stream format (byte %lld)",
                                (long long)m->start);
  if (m->message.header != ARTEMIS_IPC_HEADER_SCHEMA)
    return unexpected(r, m, "the stream does not start with a Schema message", error);
  ARTEMIS_RETURN_NOT_OK(artemis_ipc_schema_check(&m->message.schema, "message 0", m->start, error));
  r->schema = m->message.schema;
  memset(&m->message.schema, 0, sizeof m->message.schema);
  r->info.metadata_version = m->message.version + 1;
  r->info.legacy_framing = m->legacy ? 1 : 0;
  r->info.big_endian = r->schema.big_endian ? 1 : 0;
  r->swap = r->schema.big_endian != artemis_ipc_host_is_big_endian();
  ARTEMIS_RETURN_NOT_OK(artemis_ipc_dictionaries_init(&r->dictionaries, &r->mem, r->allocator, &r->schema,
                                                      r->options.max_dictionary_bytes, "message 0", m->start, error));
  r->have_dictionaries = true;
  return ARTEMIS_OK;
}

static void body_ctx(artemis_ipc_reader* r, framed_message* m, artemis_ipc_holder* holder, artemis_error* error,
                     artemis_ipc_body_ctx* ctx) {
  memset(ctx, 0, sizeof *ctx);
  ctx->allocator = r->allocator;
  ctx->holder = holder;
  ctx->batch = &m->message.batch;
  ctx->body = m->body;
  ctx->body_size = m->message.body_length;
  ctx->body_offset = m->body_at;
  ctx->message_index = r->message_index - 1;
  ctx->swap = r->swap;
  ctx->max_decompressed = r->options.max_body_bytes;
  ctx->codec = &r->codec;
  ctx->find_dictionary = artemis_ipc_dictionaries_find;
  ctx->dictionaries = &r->dictionaries;
  ctx->error = error;
  ctx->shared_nodes = &r->shared_nodes;
  int64_t consumed = r->source.bytes_read > INT64_MAX / (4 * SHARE_NODES_PER_INPUT_BYTE)
                         ? INT64_MAX / (4 * SHARE_NODES_PER_INPUT_BYTE)
                         : r->source.bytes_read;
  ctx->share_budget = SHARE_SLACK + consumed * SHARE_NODES_PER_INPUT_BYTE;
}

/* A holder for the message body: it takes the body's block, if the body was read into one. */
static artemis_ipc_holder* body_holder(artemis_ipc_reader* r, framed_message* m, artemis_error* error) {
  artemis_ipc_holder* holder = artemis_ipc_holder_new(r->allocator);
  if (!holder) {
    artemis_set_error_at(error, ARTEMIS_E_NOMEM, -1, -1, m->start, "message %lld: out of memory (byte %lld)",
                         (long long)(r->message_index - 1), (long long)m->start);
    return NULL;
  }
  if (m->body_block) {
    artemis_ipc_holder_adopt(holder, m->body_block);
    artemis_ipc_holder_recycle(holder, m->body_block, r->recycler);
    m->body_block = NULL;
  }
  return holder;
}

/* `footer_block`: the index of the footer's dictionary block holding `m`, -1 when the
 * message was read sequentially. */
static int apply_dictionary(artemis_ipc_reader* r, framed_message* m, int64_t footer_block, artemis_error* error) {
  artemis_ipc_dictionary* slot = artemis_ipc_dictionaries_slot(&r->dictionaries, m->message.dictionary_id);
  if (!slot) {
    char what[128];
    snprintf(what, sizeof what, "dictionary batch id %lld matches no dictionary-encoded field",
             (long long)m->message.dictionary_id);
    return unexpected(r, m, what, error);
  }
  /* File.fbs / Columnar.rst: "The IPC File format does not support dictionary
   * replacement, i.e. only one non-delta dictionary batch can be emitted for a given
   * dictionary ID." Through the footer every dictionary is applied before any batch, so
   * a replacement would silently give earlier batches the later values. (A file read
   * sequentially, from a pipe, is held to the same rule.) Deltas stay allowed. */
  if (r->info.format == ARTEMIS_IPC_FORMAT_FILE && !m->message.is_delta && slot->values.release) {
    char what[256];
    if (footer_block >= 0)
      snprintf(what, sizeof what,
               "footer dictionary block %lld: a non-delta dictionary batch for dictionary id %lld, which an earlier "
               "block already defined (the IPC file format does not support dictionary replacement)",
               (long long)footer_block, (long long)slot->id);
    else
      snprintf(what, sizeof what,
               "a non-delta dictionary batch for dictionary id %lld, which an earlier message already defined (the IPC "
               "file format does not support dictionary replacement)",
               (long long)slot->id);
    return unexpected(r, m, what, error);
  }
  artemis_ipc_holder* holder = body_holder(r, m, error);
  if (!holder) return ARTEMIS_E_NOMEM;
  artemis_ipc_body_ctx ctx;
  body_ctx(r, m, holder, error, &ctx);
  ctx.dictionary_id = slot->id;
  struct ArrowArray values;
  int rc = artemis_ipc_decode_dictionary_values(&ctx, slot->field, &values);
  artemis_ipc_holder_unref(holder); /* the arrays hold their own references */
  if (rc != ARTEMIS_OK) return rc;
  return artemis_ipc_dictionaries_update(&r->dictionaries, slot, m->message.is_delta, &values, ctx.bytes,
                                         r->source.bytes_read, r->message_index - 1, m->start, error);
}

static int emit_batch(artemis_ipc_reader* r, framed_message* m, struct ArrowArray* out, artemis_error* error) {
  artemis_ipc_holder* holder = body_holder(r, m, error);
  if (!holder) return ARTEMIS_E_NOMEM;
  artemis_ipc_body_ctx ctx;
  body_ctx(r, m, holder, error, &ctx);
  struct ArrowArray batch;
  int rc = artemis_ipc_decode_record_batch(&ctx, &r->schema, &batch);
  artemis_ipc_holder_unref(holder);
  if (rc != ARTEMIS_OK) return rc;
  *out = batch;
  r->info.batches_read++;
  /* Saturating: a batch of the null type (or with no columns) may claim up to INT64_MAX
   * rows without a byte of body, so two of them would overflow the sum. */
  r->info.rows_read = batch.length > INT64_MAX - r->info.rows_read ? INT64_MAX : r->info.rows_read + batch.length;
  return ARTEMIS_OK;
}

/* ---- opening ---- */

static int check_options(const artemis_ipc_reader_options* o, artemis_error* error) {
  if (o->version != ARTEMIS_IPC_READER_OPTIONS_VERSION)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "ipc reader options version %u, expected %u",
                             (unsigned)o->version, (unsigned)ARTEMIS_IPC_READER_OPTIONS_VERSION);
  if (o->max_metadata_bytes <= 0 || o->max_metadata_bytes > INT32_MAX || o->max_body_bytes <= 0 ||
      o->max_fields <= 0 || o->max_nesting_depth <= 0 || o->max_dictionary_bytes <= 0)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "ipc reader limits must be positive (and max_metadata_bytes at most 2^31 - 1)");
  return ARTEMIS_OK;
}

static int new_reader(artemis_ipc_reader** out, const artemis_ipc_reader_options* options, artemis_error* error) {
  artemis_ipc_reader_options defaults;
  if (!options) {
    artemis_ipc_reader_options_init(&defaults);
    options = &defaults;
  }
  ARTEMIS_RETURN_NOT_OK(check_options(options, error));
  const artemis_allocator* allocator = options->allocator ? options->allocator : artemis_default_allocator();
  artemis_mem mem;
  artemis_mem_init(&mem, allocator);
  artemis_ipc_reader* r = artemis_mem_calloc(&mem, 1, sizeof *r);
  if (!r) return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory creating the ipc reader");
  r->mem = mem;
  r->options = *options;
  r->allocator = allocator;
  r->source.fd = -1;
  r->recycler = artemis_ipc_recycler_new(allocator);
  if (!r->recycler) {
    artemis_mem_free(&mem, r);
    return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory creating the ipc reader");
  }
  artemis_ipc_codec_init(&r->codec);
  *out = r;
  return ARTEMIS_OK;
}

static bool starts_with_magic(const uint8_t* bytes, size_t n) { return n >= 6 && memcmp(bytes, "ARROW1", 6) == 0; }

/* A seekable file is read as Arrow C++ and arrow-rs read it: through its footer, whose
 * schema is authoritative. Writers need not repeat the Schema message after the magic
 * (Arrow JS does not), so none is read there. */
static int take_footer_schema(artemis_ipc_reader* r, artemis_error* error) {
  ARTEMIS_RETURN_NOT_OK(artemis_ipc_schema_check(&r->footer.schema, "footer", r->footer.start, error));
  r->schema = r->footer.schema;
  memset(&r->footer.schema, 0, sizeof r->footer.schema);
  /* Pre-1.0 files may leave the footer's version unset (it decodes as V1): the version is
   * then taken from the first message, each of which is checked to be V4 or V5 anyway. */
  r->info.metadata_version = r->footer.version >= 3 ? r->footer.version + 1 : 0;
  r->info.big_endian = r->schema.big_endian ? 1 : 0;
  r->swap = r->schema.big_endian != artemis_ipc_host_is_big_endian();
  ARTEMIS_RETURN_NOT_OK(artemis_ipc_dictionaries_init(&r->dictionaries, &r->mem, r->allocator, &r->schema,
                                                      r->options.max_dictionary_bytes, "footer", r->footer.start,
                                                      error));
  r->have_dictionaries = true;
  return ARTEMIS_OK;
}

/* Detects the format, reads the schema (and the footer of a seekable file). */
static int open_input(artemis_ipc_reader* r, artemis_error* error) {
  artemis_ipc_source* src = &r->source;
  uint8_t head[8];
  size_t got;
  const uint8_t* first_word = NULL;
  r->info.format = ARTEMIS_IPC_FORMAT_STREAM;
  if (src->seekable) {
    ARTEMIS_RETURN_NOT_OK(artemis_ipc_source_read(src, head, sizeof head, &got, error));
    if (starts_with_magic(head, got)) {
      r->info.format = ARTEMIS_IPC_FORMAT_FILE;
      r->via_footer = true;
      ARTEMIS_RETURN_NOT_OK(artemis_ipc_footer_read(src, &r->options, &r->mem, &r->footer, error));
      return take_footer_schema(r, error);
    } else {
      ARTEMIS_RETURN_NOT_OK(artemis_ipc_source_seek(src, 0, error));
      src->bytes_read = 0; /* the peeked bytes are read again as the first message */
    }
  } else {
    ARTEMIS_RETURN_NOT_OK(artemis_ipc_source_read(src, head, 4, &got, error));
    if (got == 4 && memcmp(head, "ARRO", 4) == 0) {
      /* A file through a pipe: skip the magic and its padding, read the stream inside. */
      ARTEMIS_RETURN_NOT_OK(artemis_ipc_source_read(src, head + 4, 4, &got, error));
      if (got < 4 || !starts_with_magic(head, 8))
        return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, 0,
                                    "the input starts like ARROW1 but is not an Arrow file (byte 0)");
      r->info.format = ARTEMIS_IPC_FORMAT_FILE;
    } else if (got == 4) {
      first_word = head;
    } else if (got > 0) {
      return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, 0,
                                  "message 0: input truncated inside the message prefix (byte 0)");
    }
  }
  framed_message m;
  int rc = read_message(r, NULL, first_word, &m, error);
  if (rc == ARTEMIS_OK && r->info.format == ARTEMIS_IPC_FORMAT_FILE && !m.end_of_stream && m.decoded &&
      m.message.header != ARTEMIS_IPC_HEADER_SCHEMA && m.message.header != ARTEMIS_IPC_HEADER_TENSOR &&
      m.message.header != ARTEMIS_IPC_HEADER_SPARSE_TENSOR) {
    /* A file whose schema is only in its footer (Arrow JS writes these) came through a
     * pipe: spool it to a temporary file (what was read so far, then the rest) and read it
     * through the footer like a file given by path. */
    uint8_t prefix[8];
    size_t prefix_len = 0;
    int64_t meta_bytes = m.body_at - m.start - (m.legacy ? 4 : 8);
    if (!m.legacy) {
      memcpy(prefix, "\xff\xff\xff\xff", 4);
      prefix_len = 4;
    }
    for (int i = 0; i < 4; i++) prefix[prefix_len++] = (uint8_t)((uint64_t)meta_bytes >> (8 * i)); /* int32 LE */
    const void* parts[4] = {head, prefix, m.metadata, m.body};
    size_t lens[4] = {8, prefix_len, (size_t)meta_bytes, (size_t)m.message.body_length};
    rc = artemis_ipc_source_spool(src, parts, lens, 4, error);
    framed_free(r, &m);
    if (rc != ARTEMIS_OK) return rc;
    r->via_footer = true;
    r->message_index = 0;
    r->info.messages_read = 0;
    ARTEMIS_RETURN_NOT_OK(artemis_ipc_footer_read(src, &r->options, &r->mem, &r->footer, error));
    return take_footer_schema(r, error);
  }
  if (rc == ARTEMIS_OK) rc = take_schema(r, &m, error);
  framed_free(r, &m);
  return rc;
}

typedef enum source_kind { FROM_PATH, FROM_FD, FROM_MEMORY } source_kind;

static int open_any(artemis_ipc_reader** out, source_kind kind, const char* path, int fd, const void* data,
                    size_t size, const artemis_ipc_reader_options* options, artemis_error* error) {
  if (!out) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "out is NULL");
  if (kind == FROM_PATH && !path) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "path is NULL");
  if (kind == FROM_FD && fd < 0) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "fd %d is not valid", fd);
  if (kind == FROM_MEMORY && !data && size > 0)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "data is NULL with size %zu", size);
  artemis_ipc_reader* r = NULL;
  ARTEMIS_RETURN_NOT_OK(new_reader(&r, options, error));
  int rc = ARTEMIS_OK;
  switch (kind) {
    case FROM_PATH: rc = artemis_ipc_source_open_path(&r->source, r->allocator, path, error); break;
    case FROM_FD: artemis_ipc_source_open_fd(&r->source, r->allocator, fd); break;
    case FROM_MEMORY: artemis_ipc_source_open_memory(&r->source, r->allocator, data, size); break;
  }
  if (rc == ARTEMIS_OK) rc = open_input(r, error);
  if (rc != ARTEMIS_OK) {
    artemis_ipc_reader_free(r);
    return rc;
  }
  r->info.bytes_read = r->source.bytes_read;
  *out = r;
  return ARTEMIS_OK;
}

int artemis_ipc_reader_open_path(artemis_ipc_reader** out, const char* path, const artemis_ipc_reader_options* options,
                                 artemis_error* error) {
  return open_any(out, FROM_PATH, path, -1, NULL, 0, options, error);
}

int artemis_ipc_reader_open_fd(artemis_ipc_reader** out, int fd, const artemis_ipc_reader_options* options,
                               artemis_error* error) {
  return open_any(out, FROM_FD, NULL, fd, NULL, 0, options, error);
}

int artemis_ipc_reader_open_memory(artemis_ipc_reader** out, const void* data, size_t size,
                                   const artemis_ipc_reader_options* options, artemis_error* error) {
  return open_any(out, FROM_MEMORY, NULL, -1, data, size, options, error);
}

/* ---- reading ---- */

static int next_from_stream(artemis_ipc_reader* r, struct ArrowArray* out, artemis_error* error) {
  for (;;) {
    framed_message m;
    int rc = read_message(r, NULL, NULL, &m, error);
    if (rc == ARTEMIS_OK) {
      if (m.end_of_stream) {
        rc = ARTEMIS_E_END_OF_STREAM;
      } else {
        switch (m.message.header) {
          case ARTEMIS_IPC_HEADER_RECORD_BATCH: rc = emit_batch(r, &m, out, error); break;
          case ARTEMIS_IPC_HEADER_DICTIONARY_BATCH: rc = apply_dictionary(r, &m, -1, error); break;
          case ARTEMIS_IPC_HEADER_SCHEMA: rc = unexpected(r, &m, "a second Schema message", error); break;
          case ARTEMIS_IPC_HEADER_TENSOR:
          case ARTEMIS_IPC_HEADER_SPARSE_TENSOR: rc = not_a_batch_stream(r, &m, error); break;
          default: {
            char what[64];
            snprintf(what, sizeof what, "unknown message header type %d", (int)m.message.header);
            rc = unexpected(r, &m, what, error);
          }
        }
        if (rc == ARTEMIS_OK && m.message.header == ARTEMIS_IPC_HEADER_DICTIONARY_BATCH) {
          framed_free(r, &m);
          continue;
        }
      }
    }
    framed_free(r, &m);
    return rc;
  }
}

static int read_block(artemis_ipc_reader* r, const artemis_ipc_block* block, int expected_header, const char* kind,
                      int64_t index, framed_message* m, artemis_error* error) {
  ARTEMIS_RETURN_NOT_OK(artemis_ipc_source_seek(&r->source, block->offset, error));
  ARTEMIS_RETURN_NOT_OK(read_message(r, block, NULL, m, error));
  if (!r->info.metadata_version) r->info.metadata_version = m->message.version + 1;
  if (m->legacy) r->info.legacy_framing = 1;
  if (m->message.header == expected_header) return ARTEMIS_OK;
  char what[96];
  snprintf(what, sizeof what, "footer %s block %lld holds a message of header type %d", kind, (long long)index,
           (int)m->message.header);
  return unexpected(r, m, what, error);
}

static int next_from_footer(artemis_ipc_reader* r, struct ArrowArray* out, artemis_error* error) {
  int rc = ARTEMIS_OK;
  if (!r->footer_dictionaries_read) {
    for (int64_t i = 0; i < r->footer.n_dictionaries && rc == ARTEMIS_OK; i++) {
      framed_message m;
      rc = read_block(r, &r->footer.dictionaries[i], ARTEMIS_IPC_HEADER_DICTIONARY_BATCH, "dictionary", i, &m, error);
      if (rc == ARTEMIS_OK) rc = apply_dictionary(r, &m, i, error);
      framed_free(r, &m);
    }
    if (rc != ARTEMIS_OK) return rc;
    r->footer_dictionaries_read = true;
  }
  if (r->next_block >= r->footer.n_record_batches) return ARTEMIS_E_END_OF_STREAM;
  int64_t i = r->next_block++;
  framed_message m;
  rc = read_block(r, &r->footer.record_batches[i], ARTEMIS_IPC_HEADER_RECORD_BATCH, "record batch", i, &m, error);
  if (rc == ARTEMIS_OK) rc = emit_batch(r, &m, out, error);
  framed_free(r, &m);
  return rc;
}

int artemis_ipc_reader_next(artemis_ipc_reader* reader, struct ArrowArray* out, artemis_error* error) {
  if (!reader || !out) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "reader or out is NULL");
  if (reader->failed)
    return artemis_set_error(error, ARTEMIS_E_STATE, "the ipc reader failed earlier and cannot continue");
  if (reader->finished) return artemis_set_error(error, ARTEMIS_E_END_OF_STREAM, "no more record batches");
  int rc = reader->via_footer ? next_from_footer(reader, out, error) : next_from_stream(reader, out, error);
  reader->info.bytes_read = reader->source.bytes_read;
  if (rc == ARTEMIS_E_END_OF_STREAM) {
    reader->finished = true;
    return artemis_set_error(error, ARTEMIS_E_END_OF_STREAM, "no more record batches");
  }
  if (rc != ARTEMIS_OK) reader->failed = true;
  return rc;
}

int artemis_ipc_reader_schema(artemis_ipc_reader* reader, struct ArrowSchema* out, artemis_error* error) {
  if (!reader || !out) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "reader or out is NULL");
  return artemis_ipc_schema_export(&reader->schema, reader->allocator, out, error);
}

void artemis_ipc_reader_get_info(const artemis_ipc_reader* reader, artemis_ipc_reader_info* info) {
  if (!reader || !info) return;
  *info = reader->info;
}

void artemis_ipc_reader_free(artemis_ipc_reader* reader) {
  if (!reader) return;
  if (reader->have_dictionaries) artemis_ipc_dictionaries_free(&reader->dictionaries);
  artemis_ipc_codec_free(&reader->codec);
  artemis_ipc_footer_free(&reader->mem, &reader->footer);
  artemis_ipc_schema_free(&reader->mem, &reader->schema);
  artemis_ipc_source_close(&reader->source);
  artemis_ipc_recycler_unref(reader->recycler); /* bodies still held keep it alive */
  artemis_mem mem = reader->mem;
  artemis_mem_free(&mem, reader);
}
