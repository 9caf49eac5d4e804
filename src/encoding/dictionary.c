#include "encoding/dictionary.h"

#include <string.h>
#include <xxhash.h>

#include "artemis/error.h"
#include "core/byte_compare.h"

/* Slot layouts. A probe must touch one slot only and, for 4- and 8-byte values, never
 * the plain buffer, because the table is far larger than the cache on big dictionaries:
 *   width 4:      {key bits, index + 1}
 *   width 8:      {key bits, index + 1, unused}
 *   other widths: {upper 32 hash bits, index + 1}; the value is compared in `plain`
 *                 only when those 32 bits match.
 *   byte arrays:  {upper 32 hash bits, index + 1, offset of the bytes in `plain`, length},
 *                 so a hit costs one access to `plain` and a tag clash with a different
 *                 length costs none.
 * index + 1 == 0 marks an empty slot, so a zeroed array is an empty table. */
typedef struct dict_slot32 {
  uint32_t key_or_tag;
  uint32_t index_plus_one;
} dict_slot32;

typedef struct dict_slot_bytes {
  uint32_t tag;
  uint32_t index_plus_one;
  uint32_t offset;
  uint32_t length;
} dict_slot_bytes;

typedef struct dict_slot64 {
  uint64_t key;
  uint32_t index_plus_one;
  uint32_t unused;
} dict_slot64;

#define DICT_INITIAL_SLOTS 64u
/* Entry indices are uint32 and the position is taken from the low hash bits, the tag
 * from the upper 32: beyond 2^32 slots both assumptions break. */
#define DICT_MAX_SLOTS ((size_t)1 << 31)

/* Linear probing stays short up to ~0.6 load; 5/8 keeps the arithmetic in shifts. */
static uint32_t grow_threshold(size_t slot_count) {
  return (uint32_t)(slot_count / 2 + slot_count / 8);
}

static size_t slot_size(size_t width) {
  if (width == 0) return sizeof(dict_slot_bytes);
  if (width == 8) return sizeof(dict_slot64);
  return sizeof(dict_slot32);
}

/* Multiplicative hashing: the upper product bits depend on every key bit, and folding
 * them down lets the table take its position from the low bits. */
static inline uint64_t hash_u32(uint32_t key) {
  uint64_t h = (uint64_t)key * UINT64_C(0x9E3779B97F4A7C15);
  return h ^ (h >> 32);
}

/* Doubles often differ only in their top bits (small integers, powers of two), so a
 * single multiply would leave the low bits constant: mix twice. */
static inline uint64_t hash_u64(uint64_t key) {
  key ^= key >> 32;
  key *= UINT64_C(0xD6E8FEB86659FD93);
  key ^= key >> 32;
  key *= UINT64_C(0xD6E8FEB86659FD93);
  key ^= key >> 32;
  return key;
}

/* Byte arrays: most dictionary values (names, kinds, flags) are at most 16 bytes; those
 * are hashed inline from two overlapping loads that together cover every byte, which
 * costs a fraction of a library call. Longer values go to XXH3. The hash only places
 * entries in the table, so its choice never changes the output. */
static inline uint64_t hash_bytes(const uint8_t* value, size_t len) {
  if (len > 16) return XXH3_64bits(value, len);
  uint64_t a, b;
  if (len >= 8) {
    memcpy(&a, value, 8);
    memcpy(&b, value + len - 8, 8);
  } else if (len >= 4) {
    uint32_t head, tail;
    memcpy(&head, value, 4);
    memcpy(&tail, value + len - 4, 4);
    a = head;
    b = tail;
  } else {
    a = len ? (uint64_t)value[0] | (uint64_t)value[len / 2] << 8 | (uint64_t)value[len - 1] << 16 : 0;
    b = 0;
  }
  uint64_t h = a * UINT64_C(0x9E3779B97F4A7C15) ^ (b ^ (uint64_t)len) * UINT64_C(0xC2B2AE3D27D4EB4F);
  h ^= h >> 31;
  h *= UINT64_C(0xBF58476D1CE4E5B9);
  h ^= h >> 32;
  return h;
}

static inline void write_u32le(uint8_t* p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* Equality of two byte strings of length len: word compares, the tail as the last word
 * (overlapping), which beats a libc call for the short values dictionaries hold. */
static inline int bytes_equal(const uint8_t* a, const uint8_t* b, size_t len) {
  if (len > 16) return artemis_first_mismatch(a, b, 0, len) == len;
  if (len >= 8) {
    uint64_t wa, wb;
    for (size_t k = 0; len - k > 8; k += 8) {
      memcpy(&wa, a + k, 8);
      memcpy(&wb, b + k, 8);
      if (wa != wb) return 0;
    }
    memcpy(&wa, a + len - 8, 8);
    memcpy(&wb, b + len - 8, 8);
    return wa == wb;
  }
  if (len >= 4) {
    uint32_t head_a, head_b, tail_a, tail_b;
    memcpy(&head_a, a, 4);
    memcpy(&head_b, b, 4);
    memcpy(&tail_a, a + len - 4, 4);
    memcpy(&tail_b, b + len - 4, 4);
    return head_a == head_b && tail_a == tail_b;
  }
  for (size_t k = 0; k < len; k++)
    if (a[k] != b[k]) return 0;
  return 1;
}

/* An empty byte array may come with a NULL base pointer; never offset or hash from it. */
static const uint8_t kNoBytes[1] = {0};

static uint64_t entry_hash(const artemis_dict* dict, uint32_t index) {
  const uint8_t* plain = dict->plain.data;
  if (dict->width == 4) {
    uint32_t key;
    memcpy(&key, plain + (size_t)index * 4, 4);
    return hash_u32(key);
  }
  if (dict->width == 8) {
    uint64_t key;
    memcpy(&key, plain + (size_t)index * 8, 8);
    return hash_u64(key);
  }
  return XXH3_64bits(plain + (size_t)index * dict->width, dict->width);
}

/* Places fixed-width entry `index` (known absent) into `slots`. */
static void place_entry(const artemis_dict* dict, void* slots, size_t mask, uint32_t index,
                        uint64_t hash) {
  size_t pos = (size_t)hash & mask;
  if (dict->width == 8) {
    dict_slot64* table = slots;
    while (table[pos].index_plus_one != 0) pos = (pos + 1) & mask;
    memcpy(&table[pos].key, dict->plain.data + (size_t)index * 8, 8);
    table[pos].index_plus_one = index + 1;
    return;
  }
  dict_slot32* table = slots;
  while (table[pos].index_plus_one != 0) pos = (pos + 1) & mask;
  if (dict->width == 4) {
    memcpy(&table[pos].key_or_tag, dict->plain.data + (size_t)index * 4, 4);
  } else {
    table[pos].key_or_tag = (uint32_t)(hash >> 32);
  }
  table[pos].index_plus_one = index + 1;
}

/* Doubles the slot array. On failure the old table is untouched. Fixed-width entries
 * are re-placed from `plain` in index order; byte-array slots carry what they need. */
static int grow_table(artemis_dict* dict) {
  size_t old_count = dict->slot_mask + 1;
  if (old_count >= DICT_MAX_SLOTS) return ARTEMIS_E_NOMEM;
  size_t new_count = old_count * 2;
  void* slots = artemis_mem_calloc(dict->mem, new_count, slot_size(dict->width));
  if (!slots) return ARTEMIS_E_NOMEM;
  size_t mask = new_count - 1;
  if (dict->width == 0) {
    const dict_slot_bytes* old_table = dict->slots;
    dict_slot_bytes* table = slots;
    for (size_t i = 0; i < old_count; i++) {
      dict_slot_bytes slot = old_table[i];
      if (slot.index_plus_one == 0) continue;
      const uint8_t* value = slot.length ? dict->plain.data + slot.offset : kNoBytes;
      size_t pos = (size_t)hash_bytes(value, slot.length) & mask;
      while (table[pos].index_plus_one != 0) pos = (pos + 1) & mask;
      table[pos] = slot;
    }
  } else {
    for (uint32_t i = 0; i < dict->count; i++) place_entry(dict, slots, mask, i, entry_hash(dict, i));
  }
  artemis_mem_free(dict->mem, dict->slots);
  dict->slots = slots;
  dict->slot_mask = mask;
  dict->grow_at = grow_threshold(new_count);
  return ARTEMIS_OK;
}

int artemis_dict_init(artemis_dict* dict, artemis_mem* mem, size_t width) {
  memset(dict, 0, sizeof *dict);
  dict->mem = mem;
  dict->width = width;
  artemis_buf_init(&dict->plain, mem);
  artemis_buf_init(&dict->entry_offsets, mem);
  dict->slots = artemis_mem_calloc(mem, DICT_INITIAL_SLOTS, slot_size(width));
  if (!dict->slots) return ARTEMIS_E_NOMEM;
  dict->slot_mask = DICT_INITIAL_SLOTS - 1;
  dict->grow_at = grow_threshold(DICT_INITIAL_SLOTS);
  return ARTEMIS_OK;
}

void artemis_dict_free(artemis_dict* dict) {
  artemis_buf_free(&dict->plain);
  artemis_buf_free(&dict->entry_offsets);
  artemis_mem_free(dict->mem, dict->slots);
  dict->slots = NULL;
  dict->slot_mask = 0;
  dict->grow_at = 0;
  dict->count = 0;
}

void artemis_dict_reset(artemis_dict* dict) {
  if (dict->slots) memset(dict->slots, 0, (dict->slot_mask + 1) * slot_size(dict->width));
  artemis_buf_clear(&dict->plain);
  artemis_buf_clear(&dict->entry_offsets);
  dict->count = 0;
}

size_t artemis_dict_memory(const artemis_dict* dict) {
  size_t table = dict->slots ? (dict->slot_mask + 1) * slot_size(dict->width) : 0;
  return dict->plain.cap + dict->entry_offsets.cap + table;
}

/* Makes room for one more entry of `plain_bytes` PLAIN bytes: grows the table first if
 * the load limit is reached, so the caller's subsequent placement cannot fail. Returns
 * 1 if the table was rebuilt (probe positions are stale), 0 if not, or an error. */
static int prepare_new_entry(artemis_dict* dict, size_t plain_bytes) {
  if (dict->count >= UINT32_MAX - 1) return ARTEMIS_E_NOMEM;
  int rebuilt = 0;
  if (dict->count >= dict->grow_at) {
    int rc = grow_table(dict);
    if (rc != ARTEMIS_OK) return rc;
    rebuilt = 1;
  }
  if (artemis_buf_reserve(&dict->plain, plain_bytes) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  return rebuilt;
}

static int insert_width4(artemis_dict* dict, const uint8_t* values, size_t n, uint32_t* out_indices) {
  dict_slot32* table = dict->slots;
  size_t mask = dict->slot_mask;
  for (size_t i = 0; i < n; i++) {
    uint32_t key;
    memcpy(&key, values + i * 4, 4);
    size_t pos = (size_t)hash_u32(key) & mask;
    for (;;) {
      dict_slot32 slot = table[pos];
      if (slot.index_plus_one == 0) break;
      if (slot.key_or_tag == key) {
        out_indices[i] = slot.index_plus_one - 1;
        goto next_value;
      }
      pos = (pos + 1) & mask;
    }
    {
      int rc = prepare_new_entry(dict, 4);
      if (rc < 0) return rc;
      if (rc == 1) {
        table = dict->slots;
        mask = dict->slot_mask;
        pos = (size_t)hash_u32(key) & mask;
        while (table[pos].index_plus_one != 0) pos = (pos + 1) & mask;
      }
      artemis_buf_put_unchecked(&dict->plain, &key, 4);
      table[pos].key_or_tag = key;
      table[pos].index_plus_one = dict->count + 1;
      out_indices[i] = dict->count++;
    }
  next_value:;
  }
  return ARTEMIS_OK;
}

static int insert_width8(artemis_dict* dict, const uint8_t* values, size_t n, uint32_t* out_indices) {
  dict_slot64* table = dict->slots;
  size_t mask = dict->slot_mask;
  for (size_t i = 0; i < n; i++) {
    uint64_t key;
    memcpy(&key, values + i * 8, 8);
    size_t pos = (size_t)hash_u64(key) & mask;
    for (;;) {
      const dict_slot64* slot = &table[pos];
      if (slot->index_plus_one == 0) break;
      if (slot->key == key) {
        out_indices[i] = slot->index_plus_one - 1;
        goto next_value;
      }
      pos = (pos + 1) & mask;
    }
    {
      int rc = prepare_new_entry(dict, 8);
      if (rc < 0) return rc;
      if (rc == 1) {
        table = dict->slots;
        mask = dict->slot_mask;
        pos = (size_t)hash_u64(key) & mask;
        while (table[pos].index_plus_one != 0) pos = (pos + 1) & mask;
      }
      artemis_buf_put_unchecked(&dict->plain, &key, 8);
      table[pos].key = key;
      table[pos].index_plus_one = dict->count + 1;
      out_indices[i] = dict->count++;
    }
  next_value:;
  }
  return ARTEMIS_OK;
}

static int insert_width_any(artemis_dict* dict, const uint8_t* values, size_t n, uint32_t* out_indices) {
  const size_t width = dict->width;
  dict_slot32* table = dict->slots;
  size_t mask = dict->slot_mask;
  for (size_t i = 0; i < n; i++) {
    const uint8_t* value = values + i * width;
    uint64_t hash = XXH3_64bits(value, width);
    uint32_t tag = (uint32_t)(hash >> 32);
    size_t pos = (size_t)hash & mask;
    for (;;) {
      dict_slot32 slot = table[pos];
      if (slot.index_plus_one == 0) break;
      if (slot.key_or_tag == tag &&
          bytes_equal(dict->plain.data + (size_t)(slot.index_plus_one - 1) * width, value, width)) {
        out_indices[i] = slot.index_plus_one - 1;
        goto next_value;
      }
      pos = (pos + 1) & mask;
    }
    {
      int rc = prepare_new_entry(dict, width);
      if (rc < 0) return rc;
      if (rc == 1) {
        table = dict->slots;
        mask = dict->slot_mask;
        pos = (size_t)hash & mask;
        while (table[pos].index_plus_one != 0) pos = (pos + 1) & mask;
      }
      artemis_buf_put_unchecked(&dict->plain, value, width);
      table[pos].key_or_tag = tag;
      table[pos].index_plus_one = dict->count + 1;
      out_indices[i] = dict->count++;
    }
  next_value:;
  }
  return ARTEMIS_OK;
}

int artemis_dict_insert_fixed(artemis_dict* dict, const uint8_t* values, size_t n,
                              uint32_t* out_indices) {
  if (n == 0) return ARTEMIS_OK;
  switch (dict->width) {
    case 0: return ARTEMIS_E_INVALID_ARGUMENT;
    case 4: return insert_width4(dict, values, n, out_indices);
    case 8: return insert_width8(dict, values, n, out_indices);
    default: return insert_width_any(dict, values, n, out_indices);
  }
}

int artemis_dict_insert_byte_arrays(artemis_dict* dict, const uint32_t* lengths,
                                    const uint8_t* bytes, size_t n, uint32_t* out_indices) {
  if (dict->width != 0) return ARTEMIS_E_INVALID_ARGUMENT;
  dict_slot_bytes* table = dict->slots;
  size_t mask = dict->slot_mask;
  size_t offset = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t len = lengths[i];
    const uint8_t* value = len ? bytes + offset : kNoBytes;
    offset += len;
    uint64_t hash = hash_bytes(value, len);
    uint32_t tag = (uint32_t)(hash >> 32);
    size_t pos = (size_t)hash & mask;
    for (;;) {
      const dict_slot_bytes* slot = &table[pos];
      if (slot->index_plus_one == 0) break;
      if (slot->tag == tag && slot->length == len &&
          bytes_equal(dict->plain.data + slot->offset, value, len)) {
        out_indices[i] = slot->index_plus_one - 1;
        goto next_value;
      }
      pos = (pos + 1) & mask;
    }
    {
      /* Slot offsets are uint32: a plain buffer past 4 GiB cannot be indexed (and could
       * never be a dictionary page, whose size is an i32). */
      if (dict->plain.len + 4 > UINT32_MAX) return ARTEMIS_E_NOMEM;
      if (artemis_buf_reserve(&dict->entry_offsets, 4) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
      int rc = prepare_new_entry(dict, (size_t)len + 4);
      if (rc < 0) return rc;
      if (rc == 1) {
        table = dict->slots;
        mask = dict->slot_mask;
        pos = (size_t)hash & mask;
        while (table[pos].index_plus_one != 0) pos = (pos + 1) & mask;
      }
      write_u32le(dict->plain.data + dict->plain.len, len);
      dict->plain.len += 4;
      table[pos].tag = tag;
      table[pos].index_plus_one = dict->count + 1;
      table[pos].offset = (uint32_t)dict->plain.len;
      table[pos].length = len;
      uint32_t entry_offset = (uint32_t)dict->plain.len;
      artemis_buf_put_unchecked(&dict->entry_offsets, &entry_offset, 4);
      artemis_buf_put_unchecked(&dict->plain, value, len);
      out_indices[i] = dict->count++;
    }
  next_value:;
  }
  return ARTEMIS_OK;
}
