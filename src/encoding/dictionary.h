/* Dictionary builder for RLE_DICTIONARY: maps each distinct value (compared by its exact
 * bytes, so -0.0 != +0.0 and NaN payloads are kept) to a dense index in first-seen
 * order, and keeps the PLAIN encoding of the entries, which is the dictionary page body. */
#ifndef ARTEMIS_ENCODING_DICTIONARY_H
#define ARTEMIS_ENCODING_DICTIONARY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "core/buffer.h"
#include "core/memory.h"

typedef struct artemis_dict {
  artemis_mem* mem;
  size_t width;          /* > 0: fixed-width values of this many bytes; 0: byte arrays */
  artemis_buf plain;     /* PLAIN-encoded entries (byte arrays: u32 LE length + bytes) */
  artemis_buf entry_offsets; /* byte arrays: u32 offset in `plain` of each entry's bytes */
  uint32_t count;        /* number of entries */
  /* Private hash-table state (open addressing, linear probing; layout in dictionary.c). */
  void* slots;           /* power-of-two slot array */
  size_t slot_mask;      /* slot count - 1 */
  uint32_t grow_at;      /* entry count that triggers doubling the slot array */
} artemis_dict;

/* `width` 0 for BYTE_ARRAY, else the fixed value width (1..32 for FLBA up to 32 bytes
 * may be larger: any width >0 works). */
int artemis_dict_init(artemis_dict* dict, artemis_mem* mem, size_t width);
void artemis_dict_free(artemis_dict* dict);
/* Forgets all entries (next column chunk); keeps allocated capacity where cheap. */
void artemis_dict_reset(artemis_dict* dict);

/* Looks up / inserts `n` values and writes each one's index to out_indices[i].
 * ARTEMIS_OK or ARTEMIS_E_NOMEM (the dictionary is then unchanged for the values not
 * yet processed; the caller fails the column). */
int artemis_dict_insert_fixed(artemis_dict* dict, const uint8_t* values, size_t n,
                              uint32_t* out_indices);
int artemis_dict_insert_byte_arrays(artemis_dict* dict, const uint32_t* lengths,
                                    const uint8_t* bytes, size_t n, uint32_t* out_indices);

/* Bytes held by the dictionary (plain + hash table), for memory accounting. */
size_t artemis_dict_memory(const artemis_dict* dict);

static inline size_t artemis_dict_plain_size(const artemis_dict* dict) { return dict->plain.len; }

/* Entry `index` of a byte-array dictionary: its bytes and length. */
static inline const uint8_t* artemis_dict_byte_array_entry(const artemis_dict* dict, uint32_t index, uint32_t* length) {
  uint32_t offset;
  memcpy(&offset, dict->entry_offsets.data + (size_t)index * 4, 4);
  const uint8_t* at = dict->plain.data + offset;
  *length = (uint32_t)at[-4] | (uint32_t)at[-3] << 8 | (uint32_t)at[-2] << 16 | (uint32_t)at[-1] << 24; /* PLAIN prefix */
  return at;
}

#endif
