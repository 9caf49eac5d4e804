/* Compiles include/artemis/alloc.h on its own: public headers must be self-contained. */
#include "artemis/alloc.h"
typedef int headertest_alloc_h;
