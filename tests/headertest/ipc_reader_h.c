/* Compiles include/artemis/ipc_reader.h on its own: public headers must be self-contained. */
#include "artemis/ipc_reader.h"
typedef int headertest_ipc_reader_h;
