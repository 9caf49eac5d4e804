/* Compiles include/artemis/writer.h on its own: public headers must be self-contained. */
#include "artemis/writer.h"
typedef int headertest_writer_h;
