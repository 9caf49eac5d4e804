#include "encoding/bitpack.h"
#include "encoding/encoders.h"

int artemis_bit_width(uint64_t max_value) { return artemis_bits_needed(max_value); }
