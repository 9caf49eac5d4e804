/* Test helper: integers stored little endian, the byte order of Parquet PLAIN values. */
#ifndef ARTEMIS_TEST_LITTLE_ENDIAN_H
#define ARTEMIS_TEST_LITTLE_ENDIAN_H

#include <stdint.h>

void put_u16le(uint8_t* p, uint16_t v);
void put_u32le(uint8_t* p, uint32_t v);
void put_u64le(uint8_t* p, uint64_t v);

#endif
