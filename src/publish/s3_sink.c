/* S3 multipart sink: the commit protocol of RELIABILITY-PLAN.md section 3, and the public
 * S3 entry points of include/artemis/s3.h that open a writer. The signed requests are
 * s3_client.c's; the gc of pending uploads is s3_gc.c.
 *
 * S3 has no rename, so the commit point is CompleteMultipartUpload. The invariant every path
 * below keeps: when a call returns an error, nothing of ours is at s3://bucket/key (Complete
 * was not acknowledged, and HeadObject did not show our object either) and the upload this
 * sink created has been aborted (best effort: an abort that itself fails leaves a pending
 * upload for `artemis-write s3-gc` and the bucket's AbortIncompleteMultipartUpload rule).
 *
 * Parts in flight: with parts_in_flight = 1 everything runs on the caller's thread (no
 * thread at all), exactly as a plain sequence of requests. With N > 1 the sink owns N
 * upload slots, each with its own part buffer, CURL easy handle and thread; write() fills
 * one slot while the others upload, and blocks when all N are busy. Slot threads touch
 * only their slot and the sink's immutable fields; the caller's thread hands slots out,
 * collects their results (under `lock`) and does every allocation, so the writer's mem
 * never sees a slot thread. */
#include "publish/sink.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/errors.h"
#include "file/writer_internal.h"
#include "publish/s3_client.h"

#define MAX_PARTS 10000

/* ---- the sink ---- */

typedef enum slot_state {
  SLOT_IDLE = 0, /* free, or being filled by the caller's thread (s->filling) */
  SLOT_QUEUED,   /* handed to its upload thread (or being uploaded inline) */
  SLOT_DONE      /* uploaded or failed; the caller's thread collects the result */
} slot_state;

typedef struct s3_sink s3_sink;

typedef struct upload_slot {
  s3_sink* sink;
  CURL* curl; /* this slot thread's own handle; NULL when parts upload inline */
  pthread_t thread;
  int thread_started;
  uint8_t* buffer; /* part_size bytes through the writer's mem, allocated at first use */
  size_t len;
  int number;     /* part number, from 1 */
  int64_t offset; /* of the part's first byte in the output */
  slot_state state;
  /* Results, written by the uploader before SLOT_DONE. */
  int status;
  artemis_error error;
  unsigned char md5[16];
  char etag[128];
} upload_slot;

typedef struct part_record {
  unsigned char md5[16]; /* for the expected multipart ETag */
  char etag[128];        /* as the server returned it, for CompleteMultipartUpload */
} part_record;

struct s3_sink {
  artemis_sink base; /* first, so an artemis_sink* is an s3_sink* */
  artemis_mem* mem;  /* the writer's; everything below that is allocated lives in it */
  s3_config cfg;
  CURL* curl; /* the caller's thread's handle: Create, Complete, Head, Abort, inline parts */
  char* bucket;
  char* key;
  char* path; /* "/bucket/key" */
  char upload_id[512];
  size_t part_size;
  int verify_etag;
  /* Slots: one without threads, parts_in_flight with. */
  upload_slot* slots;
  int slot_count;
  int threaded;
  upload_slot* filling; /* the slot write() is filling, or NULL */
  int parts;            /* part numbers handed out */
  part_record* records; /* indexed by part number - 1 */
  int record_capacity;
  pthread_mutex_t lock; /* guards slot states and results, stopping, part_failed */
  pthread_cond_t work;  /* a slot was queued, or stop */
  pthread_cond_t done;  /* a slot finished */
  int sync_ready;
  int stopping;
  atomic_int cancel; /* set by abandon(): in-flight parts stop early */
  int part_failed;   /* status of the first failed part (0: none) */
  artemis_error failure;
  int dead; /* a write failed: the upload is aborted, later calls are refused */
};

/* Uploads one part. Runs on the slot's thread, or inline on the caller's thread; touches
 * only `slot` and the sink's immutable fields. */
static int etag_is_plain(const char* etag) {
  for (const char* p = etag; *p; p++) {
    if (!(isalnum((unsigned char)*p) || *p == '-')) return 0;
  }
  return 1;
}

static void upload_job(s3_sink* s, upload_slot* slot) {
  artemis_error_clear(&slot->error);
  slot->status = ARTEMIS_OK;
  slot->etag[0] = '\0';
  int number = slot->number;
  int64_t at = slot->offset;
  if (artemis_s3_md5(slot->buffer, slot->len, slot->md5) != 0) {
    slot->status = artemis_set_error_at(&slot->error, ARTEMIS_E_INTERNAL, -1, -1, at,
                                        "s3://%s/%s: OpenSSL MD5 of part %d failed", s->bucket, s->key, number);
    return;
  }
  char md5_hex[33], md5_b64[32], md5_header[64];
  artemis_s3_to_hex(slot->md5, 16, md5_hex);
  artemis_s3_base64(slot->md5, 16, md5_b64);
  /* The server checks the body against it (400 BadDigest), so a part damaged on the way is
   * refused even where the ETag is no MD5 (SSE-KMS, SSE-C). */
  snprintf(md5_header, sizeof md5_header, "Content-MD5: %s", md5_b64);
  const char* extra[] = {md5_header, NULL};
  char pq[2048];
  if ((size_t)snprintf(pq, sizeof pq, "%s?partNumber=%d&uploadId=%s", s->path, number, s->upload_id) >= sizeof pq) {
    slot->status = artemis_set_error(&slot->error, ARTEMIS_E_INTERNAL, "s3://%s/%s: request path too long", s->bucket,
                                     s->key);
    return;
  }
  s3_response r;
  memset(&r, 0, sizeof r);
  s3_call call = {"PUT", pq, slot->len ? slot->buffer : NULL, slot->len, "application/octet-stream", extra, &s->cancel, 0};
  int rc = artemis_s3_request(&s->cfg, slot->curl ? slot->curl : s->curl, &call, &r);
  if (rc != 0 || r.status != 200 || (r.body && strstr(r.body, "<Error>"))) {
    char why[256];
    artemis_s3_describe(&r, why, sizeof why);
    if (r.curl_rc == CURLE_ABORTED_BY_CALLBACK) {
      slot->status = artemis_set_error_at(&slot->error, ARTEMIS_E_IO, -1, -1, at,
                                          "s3://%s/%s: UploadPart %d (%zu bytes at offset %lld) cancelled", s->bucket,
                                          s->key, number, slot->len, (long long)at);
    } else {
      slot->status = artemis_set_error_at(
          &slot->error, ARTEMIS_E_IO, -1, -1, at,
          "s3://%s/%s: UploadPart %d (%zu bytes at offset %lld) failed after up to %d attempts: %s", s->bucket, s->key,
          number, slot->len, (long long)at, s->cfg.max_attempts, why);
    }
  } else if (s->verify_etag && strcasecmp(r.etag, md5_hex) != 0) {
    slot->status = artemis_set_error_at(&slot->error, ARTEMIS_E_IO, -1, -1, at,
                                        "s3://%s/%s: UploadPart %d (%zu bytes at offset %lld): the server's ETag '%s' is "
                                        "not the part's MD5 %s (the part was stored wrongly; for SSE-KMS or SSE-C "
                                        "buckets turn verify_etag_md5 off)",
                                        s->bucket, s->key, number, slot->len, (long long)at, r.etag, md5_hex);
  } else if (!r.etag[0]) {
    slot->status = artemis_set_error_at(&slot->error, ARTEMIS_E_IO, -1, -1, at,
                                        "s3://%s/%s: UploadPart %d (%zu bytes at offset %lld): HTTP 200 without an ETag",
                                        s->bucket, s->key, number, slot->len, (long long)at);
  } else if (!etag_is_plain(r.etag)) {
    /* It goes verbatim into the Complete request's XML. */
    slot->status = artemis_set_error_at(&slot->error, ARTEMIS_E_IO, -1, -1, at,
                                        "s3://%s/%s: UploadPart %d (%zu bytes at offset %lld): ETag '%.100s' has "
                                        "characters outside [0-9A-Za-z-]",
                                        s->bucket, s->key, number, slot->len, (long long)at, r.etag);
  } else {
    snprintf(slot->etag, sizeof slot->etag, "%s", r.etag);
  }
  artemis_s3_response_reset(&r);
}

static void* uploader_main(void* arg) {
  upload_slot* slot = arg;
  s3_sink* s = slot->sink;
  pthread_mutex_lock(&s->lock);
  for (;;) {
    while (!s->stopping && slot->state != SLOT_QUEUED) pthread_cond_wait(&s->work, &s->lock);
    if (slot->state != SLOT_QUEUED) break; /* stopping, nothing queued */
    pthread_mutex_unlock(&s->lock);
    upload_job(s, slot);
    pthread_mutex_lock(&s->lock);
    slot->state = SLOT_DONE;
    pthread_cond_broadcast(&s->done);
  }
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

/* Collects finished slots: their ETags into the part list, the first failure into
 * s->part_failed. Caller's thread, lock held. */
static void reap_locked(s3_sink* s) {
  for (int i = 0; i < s->slot_count; i++) {
    upload_slot* slot = &s->slots[i];
    if (slot->state != SLOT_DONE) continue;
    if (slot->status != ARTEMIS_OK) {
      if (!s->part_failed) {
        s->part_failed = slot->status;
        s->failure = slot->error;
      }
    } else {
      part_record* rec = &s->records[slot->number - 1];
      memcpy(rec->md5, slot->md5, sizeof rec->md5);
      memcpy(rec->etag, slot->etag, sizeof rec->etag);
    }
    slot->state = SLOT_IDLE;
    slot->len = 0;
  }
}

static void reap(s3_sink* s) {
  pthread_mutex_lock(&s->lock);
  reap_locked(s);
  pthread_mutex_unlock(&s->lock);
}

/* Waits until no part is uploading. */
static void wait_all(s3_sink* s) {
  pthread_mutex_lock(&s->lock);
  for (;;) {
    reap_locked(s);
    int busy = 0;
    for (int i = 0; i < s->slot_count; i++) busy |= s->slots[i].state == SLOT_QUEUED;
    if (!busy) break;
    pthread_cond_wait(&s->done, &s->lock);
  }
  pthread_mutex_unlock(&s->lock);
}

static int report_part_failure(const s3_sink* s, artemis_error* error) {
  if (error) *error = s->failure;
  return s->part_failed;
}

/* Takes an idle slot for filling, waiting while all are uploading. */
static int acquire_slot(s3_sink* s, artemis_error* error) {
  upload_slot* slot = NULL;
  pthread_mutex_lock(&s->lock);
  for (;;) {
    reap_locked(s);
    if (s->part_failed) break;
    for (int i = 0; i < s->slot_count && !slot; i++) {
      if (s->slots[i].state == SLOT_IDLE) slot = &s->slots[i];
    }
    if (slot) break;
    pthread_cond_wait(&s->done, &s->lock);
  }
  pthread_mutex_unlock(&s->lock);
  if (!slot) return report_part_failure(s, error);
  if (!slot->buffer) {
    slot->buffer = artemis_mem_alloc(s->mem, s->part_size);
    if (!slot->buffer) {
      /* "out of memory" first: the writer turns that into "memory limit of N bytes
       * reached" when its cap refused. */
      return artemis_set_error_at(error, ARTEMIS_E_NOMEM, -1, -1, s->base.offset,
                                  "out of memory for the %zu-byte buffer of part %d of s3://%s/%s (parts_in_flight %d); "
                                  "the upload was aborted",
                                  s->part_size, s->parts + 1, s->bucket, s->key, s->slot_count);
    }
  }
  slot->len = 0;
  slot->offset = s->base.offset;
  s->filling = slot;
  return ARTEMIS_OK;
}

/* Hands the filled slot to its uploader (or uploads it inline). */
static int submit_filling(s3_sink* s, artemis_error* error) {
  upload_slot* slot = s->filling;
  s->filling = NULL;
  int number = s->parts + 1;
  if (number > MAX_PARTS) {
    return artemis_set_error_at(error, ARTEMIS_E_LIMIT, -1, -1, slot->offset,
                                "s3://%s/%s: part %d would exceed S3's %d parts; raise the part size (now %zu bytes)",
                                s->bucket, s->key, number, MAX_PARTS, s->part_size);
  }
  if (number > s->record_capacity) {
    int cap = s->record_capacity ? s->record_capacity * 2 : 64;
    if (cap > MAX_PARTS) cap = MAX_PARTS;
    part_record* grown = artemis_mem_realloc(s->mem, s->records, (size_t)cap * sizeof *grown);
    if (!grown) {
      return artemis_set_error_at(error, ARTEMIS_E_NOMEM, -1, -1, slot->offset,
                                  "out of memory for the part list of s3://%s/%s (%d parts)", s->bucket, s->key, cap);
    }
    s->records = grown;
    s->record_capacity = cap;
  }
  s->parts = number;
  slot->number = number;
  if (!s->threaded) {
    slot->state = SLOT_QUEUED;
    upload_job(s, slot);
    slot->state = SLOT_DONE;
    reap(s);
    return s->part_failed ? report_part_failure(s, error) : ARTEMIS_OK;
  }
  pthread_mutex_lock(&s->lock);
  slot->state = SLOT_QUEUED;
  pthread_cond_broadcast(&s->work);
  pthread_mutex_unlock(&s->lock);
  return ARTEMIS_OK;
}

static void stop_threads(s3_sink* s) {
  if (!s->sync_ready) return;
  pthread_mutex_lock(&s->lock);
  s->stopping = 1;
  pthread_cond_broadcast(&s->work);
  pthread_mutex_unlock(&s->lock);
  for (int i = 0; i < s->slot_count; i++) {
    if (s->slots[i].thread_started) pthread_join(s->slots[i].thread, NULL);
    s->slots[i].thread_started = 0;
  }
}

static void free_sink(s3_sink* s) {
  artemis_mem* mem = s->mem;
  stop_threads(s);
  for (int i = 0; s->slots && i < s->slot_count; i++) {
    if (s->slots[i].curl) curl_easy_cleanup(s->slots[i].curl);
    artemis_mem_free(mem, s->slots[i].buffer);
  }
  if (s->curl) curl_easy_cleanup(s->curl);
  artemis_s3_config_close(&s->cfg);
  if (s->sync_ready) {
    pthread_cond_destroy(&s->done);
    pthread_cond_destroy(&s->work);
    pthread_mutex_destroy(&s->lock);
  }
  artemis_mem_free(mem, s->slots);
  artemis_mem_free(mem, s->records);
  artemis_mem_free(mem, s->bucket);
  artemis_mem_free(mem, s->key);
  artemis_mem_free(mem, s->path);
  artemis_mem_free(mem, s);
}

/* Gives the upload up: stops the parts in flight early, waits for them (no thread may
 * still send a part of it), then AbortMultipartUpload. Part buffers are freed at once:
 * a failed writer should not keep holding them. */
static void abandon(s3_sink* s) {
  atomic_store(&s->cancel, 1);
  if (s->sync_ready) wait_all(s);
  if (s->upload_id[0] && s->curl)
    (void)artemis_s3_abort_upload(&s->cfg, s->curl, s->bucket, s->key, s->upload_id, NULL);
  s->upload_id[0] = '\0';
  s->filling = NULL;
  for (int i = 0; s->slots && i < s->slot_count; i++) {
    artemis_mem_free(s->mem, s->slots[i].buffer);
    s->slots[i].buffer = NULL;
  }
}

static int s3_sink_write(artemis_sink* base, const void* bytes, size_t n, artemis_error* error) {
  s3_sink* s = (s3_sink*)base;
  if (s->dead) {
    return artemis_set_error(error, ARTEMIS_E_STATE, "s3://%s/%s: write after an earlier write failed (the upload was "
                                                     "aborted)", s->bucket, s->key);
  }
  if (n && !bytes) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3 sink: write of %zu NULL bytes", n);
  int rc = ARTEMIS_OK;
  /* A part that failed in the background fails the next write. */
  if (s->threaded) reap(s);
  if (s->part_failed) {
    rc = report_part_failure(s, error);
    goto fail;
  }
  const uint8_t* p = bytes;
  while (n > 0) {
    if (!s->filling) {
      rc = acquire_slot(s, error);
      if (rc != ARTEMIS_OK) goto fail;
    }
    upload_slot* slot = s->filling;
    size_t take = s->part_size - slot->len;
    if (take > n) take = n;
    memcpy(slot->buffer + slot->len, p, take);
    slot->len += take;
    s->base.offset += (int64_t)take;
    p += take;
    n -= take;
    if (slot->len == s->part_size) {
      rc = submit_filling(s, error);
      if (rc != ARTEMIS_OK) goto fail;
    }
  }
  return ARTEMIS_OK;
fail:
  abandon(s);
  s->dead = 1;
  return rc;
}

/* hex(MD5(MD5(part 1) || ... || MD5(part N))) "-" N: the ETag S3 gives a multipart object. */
static int expected_multipart_etag(const s3_sink* s, char* out, size_t size) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  int ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1;
  for (int i = 0; ok && i < s->parts; i++) ok = EVP_DigestUpdate(ctx, s->records[i].md5, 16) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx, md, &len) == 1 && len == 16;
  EVP_MD_CTX_free(ctx);
  if (!ok) return -1;
  char hex[33];
  artemis_s3_to_hex(md, 16, hex);
  snprintf(out, size, "%s-%d", hex, s->parts);
  return 0;
}

/* What HeadObject says about the key after a Complete without a clear answer. */
typedef enum head_verdict {
  HEAD_OURS,    /* 200 and the multipart ETag of exactly our parts */
  HEAD_OTHER,   /* 200 with another ETag: someone else's object */
  HEAD_ABSENT,  /* 404 */
  HEAD_UNKNOWN  /* no usable answer (network error, 5xx, 403...): the object may exist */
} head_verdict;

/* Is the object at the key ours, and whole? The ETag S3 gives a multipart object is
 * hex(MD5(MD5(part 1) .. MD5(part N)))-N, computed here from the MD5s of the bytes we
 * sent, so only an object with exactly our bytes in exactly our parts matches. */
static head_verdict head_object(s3_sink* s, char* note, size_t note_size) {
  char expected[64];
  if (expected_multipart_etag(s, expected, sizeof expected) != 0) {
    snprintf(note, note_size, "; HeadObject skipped (MD5 failed)");
    return HEAD_UNKNOWN;
  }
  s3_response r;
  memset(&r, 0, sizeof r);
  s3_call call = {"HEAD", s->path, NULL, 0, NULL, NULL, NULL, 0};
  int rc = artemis_s3_request(&s->cfg, s->curl, &call, &r);
  head_verdict v;
  char why[256];
  artemis_s3_describe(&r, why, sizeof why);
  if (rc == 0 && r.status == 200 && strcasecmp(r.etag, expected) == 0) {
    v = HEAD_OURS;
    snprintf(note, note_size, "; HeadObject: ETag %s, ours", expected);
  } else if (rc == 0 && r.status == 200 && !s->verify_etag) {
    /* Without MD5 ETags (SSE-KMS, SSE-C) our object cannot be recognised by its ETag. */
    v = HEAD_UNKNOWN;
    snprintf(note, note_size, "; HeadObject: an object with ETag %.100s, which cannot be identified: ETags are "
             "not MD5s here (verify_etag_md5 off)", r.etag);
  } else if (rc == 0 && r.status == 200) {
    v = HEAD_OTHER;
    snprintf(note, note_size, "; HeadObject: ETag %.100s, ours would be %s", r.etag, expected);
  } else if (rc == 0 && r.status == 404) {
    v = HEAD_ABSENT;
    snprintf(note, note_size, "; HeadObject: 404, no object");
  } else {
    v = HEAD_UNKNOWN;
    snprintf(note, note_size, "; HeadObject: %.200s", why);
  }
  artemis_s3_response_reset(&r);
  return v;
}

static int s3_sink_publish(artemis_sink* base, artemis_error* error) {
  s3_sink* s = (s3_sink*)base;
  int rc = ARTEMIS_OK;
  char* xml = NULL;
  s3_response r;
  memset(&r, 0, sizeof r);
  if (s->dead) {
    rc = artemis_set_error(error, ARTEMIS_E_STATE, "s3://%s/%s: publish after a write failed (the upload was aborted)",
                           s->bucket, s->key);
    goto done;
  }
  /* The last part may be short; an empty output still needs one (empty) part. */
  if ((s->filling && s->filling->len > 0) || s->parts == 0) {
    if (!s->filling) {
      rc = acquire_slot(s, error);
      if (rc != ARTEMIS_OK) goto fail;
    }
    rc = submit_filling(s, error);
    if (rc != ARTEMIS_OK) goto fail;
  }
  s->filling = NULL;
  wait_all(s);
  if (s->part_failed) {
    rc = report_part_failure(s, error);
    goto fail;
  }
  size_t cap = 64 + (size_t)s->parts * (64 + sizeof s->records[0].etag);
  xml = artemis_mem_alloc(s->mem, cap);
  if (!xml) {
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory for the Complete request of s3://%s/%s (%d parts)",
                           s->bucket, s->key, s->parts);
    goto fail;
  }
  /* Each piece is checked: a part list cut short would complete a shorter object. */
  size_t len = 0;
  int n = snprintf(xml, cap, "<CompleteMultipartUpload>");
  for (int i = 0; n >= 0 && (len += (size_t)n) < cap && i < s->parts; i++) {
    n = snprintf(xml + len, cap - len, "<Part><PartNumber>%d</PartNumber><ETag>\"%s\"</ETag></Part>", i + 1,
                 s->records[i].etag);
  }
  if (n >= 0 && len < cap) {
    n = snprintf(xml + len, cap - len, "</CompleteMultipartUpload>");
    if (n >= 0) len += (size_t)n;
  }
  if (n < 0 || len >= cap) {
    rc = artemis_set_error(error, ARTEMIS_E_INTERNAL, "s3://%s/%s: the Complete request of %d parts does not fit %zu bytes",
                           s->bucket, s->key, s->parts, cap);
    goto fail;
  }
  char pq[2048];
  snprintf(pq, sizeof pq, "%s?uploadId=%s", s->path, s->upload_id);
  static const char* const extra[] = {"If-None-Match: *", NULL};
  /* Not cancellable: once Complete is sent, only its answer (or HeadObject) says whether
   * the object exists; giving up half-way would only make that harder to know. */
  s3_call call = {"POST", pq, xml, len, "application/xml", extra, NULL, 1};
  int req = artemis_s3_request(&s->cfg, s->curl, &call, &r);
  if (req == 0 && r.status == 200 && r.body && !strstr(r.body, "<Error>") && strstr(r.body, "<ETag>")) {
    s->upload_id[0] = '\0'; /* committed: nothing to abort */
    goto done;
  }
  int conflict = req == 0 && (r.status == 412 || artemis_s3_has_code(&r, "PreconditionFailed"));
  int no_upload = req == 0 && (r.status == 404 || artemis_s3_has_code(&r, "NoSuchUpload"));
  /* A 2xx that is not a clean success (a body cut short, no <ETag>) may well be a commit. */
  int unclear_2xx = req == 0 && r.status >= 200 && r.status < 300;
  head_verdict verdict = HEAD_ABSENT;
  char why[256];
  artemis_s3_describe(&r, why, sizeof why);
  char note[400] = "";
  /* An attempt the server may have carried out without our hearing of it (maybe_applied:
   * a lost reply, a 5xx, an error inside a 200) may have published our object; a retry
   * then meets it (412), finds the upload gone (404), or fails again. Only HeadObject can
   * tell. Without such an attempt, a 412 is someone else's object, even one with our very
   * bytes (a rerun of the same job): that stays a conflict; and a 404 NoSuchUpload means
   * someone aborted our upload (s3-gc, a lifecycle rule). Complete goes on a fresh
   * connection, so libcurl cannot hide an attempt from maybe_applied. */
  if (r.maybe_applied || unclear_2xx) {
    head_verdict v = head_object(s, note, sizeof note);
    long abort_status = 0;
    if (v == HEAD_ABSENT) {
      /* The upload may still be completing (S3 can take a while for many parts): an abort
       * answered 404 means it is gone, so look once more. */
      (void)artemis_s3_abort_upload(&s->cfg, s->curl, s->bucket, s->key, s->upload_id, &abort_status);
      s->upload_id[0] = '\0';
      size_t used = strlen(note);
      if (abort_status == 404) {
        char again[200] = "";
        v = head_object(s, again, sizeof again);
        snprintf(note + used, sizeof note - used, "; AbortMultipartUpload: 404%s", again);
      } else if (abort_status != 200 && abort_status != 204) {
        /* The upload may still be completing, and we could not stop it. */
        v = HEAD_UNKNOWN;
        snprintf(note + used, sizeof note - used, "; AbortMultipartUpload failed (HTTP %ld)", abort_status);
      }
    }
    verdict = v;
    if (v == HEAD_OURS) {
      /* Ours. The abort is a no-op for a completed upload, and cleans up if this was a
       * foreign object with our very bytes after all. */
      if (s->upload_id[0]) (void)artemis_s3_abort_upload(&s->cfg, s->curl, s->bucket, s->key, s->upload_id, NULL);
      s->upload_id[0] = '\0';
      goto done;
    }
    if (v == HEAD_UNKNOWN) {
      rc = artemis_set_error(error, ARTEMIS_E_OUTCOME_UNKNOWN,
                             "s3://%s/%s: outcome unknown: CompleteMultipartUpload of %d parts (%lld bytes) got no "
                             "clear answer (%s)%s; the object may or may not exist now: check it before writing it "
                             "again. The upload was aborted (a no-op if it was completed)",
                             s->bucket, s->key, s->parts, (long long)s->base.offset, why, note);
      goto fail;
    }
  }
  if (conflict) {
    rc = artemis_set_error(error, ARTEMIS_E_CONFLICT,
                           "s3://%s/%s already exists; not overwritten (CompleteMultipartUpload with If-None-Match: * "
                           "got %s%s); the upload was aborted",
                           s->bucket, s->key, why, note);
  } else {
    const char* outcome = verdict == HEAD_OTHER ? "a different object is at the key (not ours)"
                          : no_upload && !r.maybe_applied
                              ? "the upload no longer exists (aborted by s3-gc or a lifecycle rule?); nothing was "
                                "published"
                              : "nothing was published";
    rc = artemis_set_error(error, ARTEMIS_E_IO,
                           "s3://%s/%s: CompleteMultipartUpload of %d parts (%lld bytes) failed after up to %d attempts: "
                           "%s%s; %s, and the upload was aborted",
                           s->bucket, s->key, s->parts, (long long)s->base.offset, s->cfg.max_attempts, why, note,
                           outcome);
  }
fail:
  abandon(s);
done:
  artemis_s3_response_reset(&r);
  artemis_mem_free(s->mem, xml);
  free_sink(s);
  return rc;
}

static void s3_sink_discard(artemis_sink* base) {
  s3_sink* s = (s3_sink*)base;
  abandon(s);
  free_sink(s);
}

static const artemis_sink_vtable kS3SinkVtable = {s3_sink_write, s3_sink_publish, s3_sink_discard};

/* Starts one thread per slot, each with its own easy handle. Threads block every signal:
 * the application's SIGINT handler must run on one of its own threads (as for the
 * writer's column workers, src/core/worker_pool.c). */
static int start_uploaders(s3_sink* s, artemis_error* error) {
  for (int i = 0; i < s->slot_count; i++) {
    s->slots[i].curl = curl_easy_init();
    if (!s->slots[i].curl) {
      return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory for the connections of s3://%s/%s", s->bucket,
                               s->key);
    }
  }
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  int rc = 0;
  for (int i = 0; i < s->slot_count && rc == 0; i++) {
    rc = pthread_create(&s->slots[i].thread, NULL, uploader_main, &s->slots[i]);
    if (rc == 0) s->slots[i].thread_started = 1;
  }
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  if (rc != 0) {
    return artemis_set_error(error, rc == EAGAIN ? ARTEMIS_E_NOMEM : ARTEMIS_E_IO,
                             "s3://%s/%s: cannot start %d upload threads: %s", s->bucket, s->key, s->slot_count,
                             strerror(rc));
  }
  s->threaded = 1;
  return ARTEMIS_OK;
}

int artemis_s3_sink_open(artemis_sink** out, const char* bucket, const char* key, const artemis_s3_options* options,
                         artemis_mem* mem, artemis_error* error) {
  if (!out || !mem) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "artemis_s3_sink_open: NULL argument");
  *out = NULL;
  ARTEMIS_RETURN_NOT_OK(artemis_s3_check_location(bucket, key, error));
  ARTEMIS_RETURN_NOT_OK(artemis_s3_check_options(options, error));
  artemis_s3_options defaults;
  artemis_s3_options_init(&defaults);
  if (!options) options = &defaults;
  s3_sink* s = artemis_mem_calloc(mem, 1, sizeof *s);
  if (!s) return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory opening s3://%s/%s", bucket, key);
  s->base.vtable = &kS3SinkVtable;
  s->mem = mem;
  s->part_size = options->part_size ? options->part_size : ARTEMIS_S3_DEFAULT_PART_SIZE;
  s->verify_etag = options->verify_etag_md5 != 0;
  int slot_count = options->parts_in_flight > 0 ? options->parts_in_flight : 1;
  atomic_init(&s->cancel, 0);
  int rc = ARTEMIS_OK;
  if (pthread_mutex_init(&s->lock, NULL) != 0) {
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "s3://%s/%s: cannot create a mutex", bucket, key);
    goto fail;
  }
  if (pthread_cond_init(&s->work, NULL) != 0) {
    pthread_mutex_destroy(&s->lock);
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "s3://%s/%s: cannot create a condition variable", bucket, key);
    goto fail;
  }
  if (pthread_cond_init(&s->done, NULL) != 0) {
    pthread_cond_destroy(&s->work);
    pthread_mutex_destroy(&s->lock);
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "s3://%s/%s: cannot create a condition variable", bucket, key);
    goto fail;
  }
  s->sync_ready = 1;
  rc = artemis_s3_config_open(&s->cfg, options, error);
  if (rc != ARTEMIS_OK) goto fail;
  s->curl = curl_easy_init();
  s->bucket = artemis_mem_strdup(mem, bucket);
  s->key = artemis_mem_strdup(mem, key);
  size_t pl = strlen(bucket) + strlen(key) + 3;
  s->path = artemis_mem_alloc(mem, pl);
  s->slots = artemis_mem_calloc(mem, (size_t)slot_count, sizeof *s->slots);
  if (!s->curl || !s->bucket || !s->key || !s->path || !s->slots) {
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory opening s3://%s/%s", bucket, key);
    goto fail;
  }
  s->slot_count = slot_count; /* from here on, the slots exist */
  for (int i = 0; i < s->slot_count; i++) s->slots[i].sink = s;
  snprintf(s->path, pl, "/%s/%s", bucket, key);
  char pq[2048];
  snprintf(pq, sizeof pq, "%s?uploads=", s->path);
  s3_response r;
  memset(&r, 0, sizeof r);
  s3_call call = {"POST", pq, NULL, 0, "application/octet-stream", NULL, &s->cancel, 0};
  int req = artemis_s3_request(&s->cfg, s->curl, &call, &r);
  char id[512];
  if (req != 0 || r.status != 200 || !r.body || strstr(r.body, "<Error>") ||
      !artemis_s3_xml_text(r.body, "UploadId", id, sizeof id)) {
    char why[256];
    artemis_s3_describe(&r, why, sizeof why);
    rc = artemis_set_error(error, ARTEMIS_E_IO, "s3://%s/%s: CreateMultipartUpload at %s failed: %s", bucket, key,
                           s->cfg.endpoint, why);
    artemis_s3_response_reset(&r);
    goto fail;
  }
  artemis_s3_response_reset(&r);
  snprintf(s->upload_id, sizeof s->upload_id, "%s", id);
  if (!artemis_s3_upload_id_ok(id)) {
    /* Unusable for signing, but try the abort anyway. */
    rc = artemis_set_error(error, ARTEMIS_E_UNSUPPORTED,
                           "s3://%s/%s: upload id '%.100s' needs %%-escaping, which libcurl 7.88's SigV4 cannot sign",
                           bucket, key, id);
    goto fail;
  }
  if (s->slot_count > 1) {
    rc = start_uploaders(s, error);
    if (rc != ARTEMIS_OK) goto fail;
  }
  *out = &s->base;
  return ARTEMIS_OK;
fail:
  abandon(s);
  free_sink(s);
  return rc;
}

/* ---- public entry points ---- */

int artemis_s3_parse_url(const char* url, char* bucket, size_t bucket_size, char* key, size_t key_size,
                         artemis_error* error) {
  ARTEMIS_RETURN_NOT_OK(artemis_s3_split_url(url, bucket, bucket_size, key, key_size, error));
  return artemis_s3_check_location(bucket, key, error);
}

typedef struct s3_open_context {
  const char* bucket;
  const char* key;
  const artemis_s3_options* options;
} s3_open_context;

static int open_sink_for_writer(void* context, artemis_mem* mem, artemis_sink** out, artemis_error* error) {
  const s3_open_context* c = context;
  return artemis_s3_sink_open(out, c->bucket, c->key, c->options, mem, error);
}

int artemis_writer_open_s3(artemis_writer** out, const char* url, const struct ArrowSchema* schema,
                           const artemis_writer_options* options, const artemis_s3_options* s3_options,
                           artemis_error* error) {
  artemis_error_clear(error);
  if (!out || !url || !schema) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "out, url and schema must not be NULL");
  *out = NULL;
  /* Larger than any valid name, so that check_location names what is wrong. */
  char bucket[256], key[2048];
  ARTEMIS_RETURN_NOT_OK(artemis_s3_parse_url(url, bucket, sizeof bucket, key, sizeof key, error));
  ARTEMIS_RETURN_NOT_OK(artemis_s3_check_options(s3_options, error));
  s3_open_context context = {bucket, key, s3_options};
  return artemis_writer_open_with_sink_opener(out, url, open_sink_for_writer, &context, schema, options, error);
}
