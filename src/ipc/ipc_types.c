#include "ipc/ipc_types.h"

#include <stdio.h>

static artemis_ipc_layout fixed(int64_t width, artemis_ipc_swap swap) {
  artemis_ipc_layout l = {ARTEMIS_IPC_LAYOUT_FIXED, 2, width, 0, swap};
  return l;
}

static artemis_ipc_swap swap_for_width(int64_t width) {
  switch (width) {
    case 2: return ARTEMIS_IPC_SWAP_2;
    case 4: return ARTEMIS_IPC_SWAP_4;
    case 8: return ARTEMIS_IPC_SWAP_8;
    case 16: return ARTEMIS_IPC_SWAP_16;
    case 32: return ARTEMIS_IPC_SWAP_32;
    default: return ARTEMIS_IPC_SWAP_NONE;
  }
}

static bool valid_int_width(int32_t bits) { return bits == 8 || bits == 16 || bits == 32 || bits == 64; }

artemis_ipc_layout artemis_ipc_index_layout(int32_t bit_width) {
  artemis_ipc_layout unsupported = {ARTEMIS_IPC_LAYOUT_UNSUPPORTED, 0, 0, 0, ARTEMIS_IPC_SWAP_NONE};
  if (!valid_int_width(bit_width)) return unsupported;
  return fixed(bit_width / 8, swap_for_width(bit_width / 8));
}

artemis_ipc_layout artemis_ipc_type_layout(const artemis_ipc_type* type) {
  artemis_ipc_layout l = {ARTEMIS_IPC_LAYOUT_UNSUPPORTED, 0, 0, 0, ARTEMIS_IPC_SWAP_NONE};
  switch (type->id) {
    case ARTEMIS_IPC_TYPE_NULL:
      l.kind = ARTEMIS_IPC_LAYOUT_NULL;
      return l;
    case ARTEMIS_IPC_TYPE_BOOL:
      l.kind = ARTEMIS_IPC_LAYOUT_BITS;
      l.n_buffers = 2;
      return l;
    case ARTEMIS_IPC_TYPE_INT:
      return artemis_ipc_index_layout(type->bit_width);
    case ARTEMIS_IPC_TYPE_FLOAT:
      if (type->precision == ARTEMIS_IPC_PRECISION_HALF) return fixed(2, ARTEMIS_IPC_SWAP_2);
      if (type->precision == ARTEMIS_IPC_PRECISION_SINGLE) return fixed(4, ARTEMIS_IPC_SWAP_4);
      if (type->precision == ARTEMIS_IPC_PRECISION_DOUBLE) return fixed(8, ARTEMIS_IPC_SWAP_8);
      return l;
    case ARTEMIS_IPC_TYPE_DECIMAL:
      if (type->bit_width == 32 || type->bit_width == 64 || type->bit_width == 128 || type->bit_width == 256)
        return fixed(type->bit_width / 8, swap_for_width(type->bit_width / 8));
      return l;
    case ARTEMIS_IPC_TYPE_DATE:
      if (type->unit == ARTEMIS_IPC_DATE_DAY) return fixed(4, ARTEMIS_IPC_SWAP_4);
      if (type->unit == ARTEMIS_IPC_DATE_MILLISECOND) return fixed(8, ARTEMIS_IPC_SWAP_8);
      return l;
    case ARTEMIS_IPC_TYPE_TIME:
      if ((type->unit == ARTEMIS_IPC_UNIT_SECOND || type->unit == ARTEMIS_IPC_UNIT_MILLISECOND) && type->bit_width == 32)
        return fixed(4, ARTEMIS_IPC_SWAP_4);
      if ((type->unit == ARTEMIS_IPC_UNIT_MICROSECOND || type->unit == ARTEMIS_IPC_UNIT_NANOSECOND) &&
          type->bit_width == 64)
        return fixed(8, ARTEMIS_IPC_SWAP_8);
      return l;
    case ARTEMIS_IPC_TYPE_TIMESTAMP:
    case ARTEMIS_IPC_TYPE_DURATION:
      if (type->unit >= ARTEMIS_IPC_UNIT_SECOND && type->unit <= ARTEMIS_IPC_UNIT_NANOSECOND)
        return fixed(8, ARTEMIS_IPC_SWAP_8);
      return l;
    case ARTEMIS_IPC_TYPE_INTERVAL:
      if (type->unit == ARTEMIS_IPC_INTERVAL_YEAR_MONTH) return fixed(4, ARTEMIS_IPC_SWAP_4);
      /* days and milliseconds: two int32, each swapped on its own */
      if (type->unit == ARTEMIS_IPC_INTERVAL_DAY_TIME) return fixed(8, ARTEMIS_IPC_SWAP_4);
      if (type->unit == ARTEMIS_IPC_INTERVAL_MONTH_DAY_NANO) return fixed(16, ARTEMIS_IPC_SWAP_MONTH_DAY_NANO);
      return l;
    case ARTEMIS_IPC_TYPE_FIXED_SIZE_BINARY:
      if (type->byte_width < 0) return l;
      return fixed(type->byte_width, ARTEMIS_IPC_SWAP_NONE);
    case ARTEMIS_IPC_TYPE_BINARY:
    case ARTEMIS_IPC_TYPE_UTF8:
    case ARTEMIS_IPC_TYPE_LARGE_BINARY:
    case ARTEMIS_IPC_TYPE_LARGE_UTF8:
      l.kind = ARTEMIS_IPC_LAYOUT_VARBINARY;
      l.n_buffers = 3;
      l.offset_width = (type->id == ARTEMIS_IPC_TYPE_LARGE_BINARY || type->id == ARTEMIS_IPC_TYPE_LARGE_UTF8) ? 8 : 4;
      return l;
    case ARTEMIS_IPC_TYPE_BINARY_VIEW:
    case ARTEMIS_IPC_TYPE_UTF8_VIEW:
      l.kind = ARTEMIS_IPC_LAYOUT_VIEW;
      l.n_buffers = 2;
      return l;
    case ARTEMIS_IPC_TYPE_LIST:
    case ARTEMIS_IPC_TYPE_MAP:
    case ARTEMIS_IPC_TYPE_LARGE_LIST:
      l.kind = ARTEMIS_IPC_LAYOUT_LIST;
      l.n_buffers = 2;
      l.offset_width = type->id == ARTEMIS_IPC_TYPE_LARGE_LIST ? 8 : 4;
      return l;
    case ARTEMIS_IPC_TYPE_FIXED_SIZE_LIST:
      if (type->list_size < 0) return l;
      l.kind = ARTEMIS_IPC_LAYOUT_FIXED_LIST;
      l.n_buffers = 1;
      return l;
    case ARTEMIS_IPC_TYPE_STRUCT:
      l.kind = ARTEMIS_IPC_LAYOUT_STRUCT;
      l.n_buffers = 1;
      return l;
    default:
      return l;
  }
}

const char* artemis_ipc_index_format(int32_t bit_width, bool is_signed) {
  switch (bit_width) {
    case 8: return is_signed ? "c" : "C";
    case 16: return is_signed ? "s" : "S";
    case 32: return is_signed ? "i" : "I";
    case 64: return is_signed ? "l" : "L";
    default: return "?";
  }
}

static char unit_letter(int16_t unit) {
  switch (unit) {
    case ARTEMIS_IPC_UNIT_SECOND: return 's';
    case ARTEMIS_IPC_UNIT_MILLISECOND: return 'm';
    case ARTEMIS_IPC_UNIT_MICROSECOND: return 'u';
    default: return 'n';
  }
}

size_t artemis_ipc_type_format(const artemis_ipc_type* type, char* buf, size_t cap) {
  const char* fixed_text = NULL;
  int n = 0;
  switch (type->id) {
    case ARTEMIS_IPC_TYPE_NULL: fixed_text = "n"; break;
    case ARTEMIS_IPC_TYPE_BOOL: fixed_text = "b"; break;
    case ARTEMIS_IPC_TYPE_INT: fixed_text = artemis_ipc_index_format(type->bit_width, type->is_signed); break;
    case ARTEMIS_IPC_TYPE_FLOAT:
      fixed_text = type->precision == ARTEMIS_IPC_PRECISION_HALF ? "e"
                   : type->precision == ARTEMIS_IPC_PRECISION_SINGLE ? "f" : "g";
      break;
    case ARTEMIS_IPC_TYPE_DECIMAL:
      n = snprintf(buf, cap, "d:%d,%d,%d", (int)type->decimal_precision, (int)type->decimal_scale,
                   (int)type->bit_width);
      break;
    case ARTEMIS_IPC_TYPE_DATE: fixed_text = type->unit == ARTEMIS_IPC_DATE_DAY ? "tdD" : "tdm"; break;
    case ARTEMIS_IPC_TYPE_TIME: n = snprintf(buf, cap, "tt%c", unit_letter(type->unit)); break;
    case ARTEMIS_IPC_TYPE_TIMESTAMP:
      n = snprintf(buf, cap, "ts%c:%s", unit_letter(type->unit), type->timezone ? type->timezone : "");
      break;
    case ARTEMIS_IPC_TYPE_DURATION: n = snprintf(buf, cap, "tD%c", unit_letter(type->unit)); break;
    case ARTEMIS_IPC_TYPE_INTERVAL:
      fixed_text = type->unit == ARTEMIS_IPC_INTERVAL_YEAR_MONTH ? "tiM"
                   : type->unit == ARTEMIS_IPC_INTERVAL_DAY_TIME ? "tiD" : "tin";
      break;
    case ARTEMIS_IPC_TYPE_FIXED_SIZE_BINARY: n = snprintf(buf, cap, "w:%d", (int)type->byte_width); break;
    case ARTEMIS_IPC_TYPE_BINARY: fixed_text = "z"; break;
    case ARTEMIS_IPC_TYPE_LARGE_BINARY: fixed_text = "Z"; break;
    case ARTEMIS_IPC_TYPE_UTF8: fixed_text = "u"; break;
    case ARTEMIS_IPC_TYPE_LARGE_UTF8: fixed_text = "U"; break;
    case ARTEMIS_IPC_TYPE_BINARY_VIEW: fixed_text = "vz"; break;
    case ARTEMIS_IPC_TYPE_UTF8_VIEW: fixed_text = "vu"; break;
    case ARTEMIS_IPC_TYPE_LIST: fixed_text = "+l"; break;
    case ARTEMIS_IPC_TYPE_LARGE_LIST: fixed_text = "+L"; break;
    case ARTEMIS_IPC_TYPE_FIXED_SIZE_LIST: n = snprintf(buf, cap, "+w:%d", (int)type->list_size); break;
    case ARTEMIS_IPC_TYPE_STRUCT: fixed_text = "+s"; break;
    case ARTEMIS_IPC_TYPE_MAP: fixed_text = "+m"; break;
    default: fixed_text = "?"; break;
  }
  if (fixed_text) n = snprintf(buf, cap, "%s", fixed_text);
  return n < 0 ? 0 : (size_t)n;
}

const char* artemis_ipc_type_name(const artemis_ipc_type* type) {
  switch (type->id) {
    case ARTEMIS_IPC_TYPE_NULL: return "null";
    case ARTEMIS_IPC_TYPE_BOOL: return "bool";
    case ARTEMIS_IPC_TYPE_INT:
      switch (type->bit_width) {
        case 8: return type->is_signed ? "int8" : "uint8";
        case 16: return type->is_signed ? "int16" : "uint16";
        case 32: return type->is_signed ? "int32" : "uint32";
        case 64: return type->is_signed ? "int64" : "uint64";
        default: return "int";
      }
    case ARTEMIS_IPC_TYPE_FLOAT: return "floating_point";
    case ARTEMIS_IPC_TYPE_DECIMAL: return "decimal";
    case ARTEMIS_IPC_TYPE_DATE: return "date";
    case ARTEMIS_IPC_TYPE_TIME: return "time";
    case ARTEMIS_IPC_TYPE_TIMESTAMP: return "timestamp";
    case ARTEMIS_IPC_TYPE_INTERVAL: return "interval";
    case ARTEMIS_IPC_TYPE_DURATION: return "duration";
    case ARTEMIS_IPC_TYPE_FIXED_SIZE_BINARY: return "fixed_size_binary";
    case ARTEMIS_IPC_TYPE_BINARY: return "binary";
    case ARTEMIS_IPC_TYPE_UTF8: return "utf8";
    case ARTEMIS_IPC_TYPE_LARGE_BINARY: return "large_binary";
    case ARTEMIS_IPC_TYPE_LARGE_UTF8: return "large_utf8";
    case ARTEMIS_IPC_TYPE_LIST: return "list";
    case ARTEMIS_IPC_TYPE_LARGE_LIST: return "large_list";
    case ARTEMIS_IPC_TYPE_FIXED_SIZE_LIST: return "fixed_size_list";
    case ARTEMIS_IPC_TYPE_STRUCT: return "struct";
    case ARTEMIS_IPC_TYPE_MAP: return "map";
    case ARTEMIS_IPC_TYPE_UNION: return "union";
    case ARTEMIS_IPC_TYPE_RUN_END_ENCODED: return "run_end_encoded";
    case ARTEMIS_IPC_TYPE_BINARY_VIEW: return "binary_view";
    case ARTEMIS_IPC_TYPE_UTF8_VIEW: return "utf8_view";
    case ARTEMIS_IPC_TYPE_LIST_VIEW: return "list_view";
    case ARTEMIS_IPC_TYPE_LARGE_LIST_VIEW: return "large_list_view";
    default: return "unknown";
  }
}
