/* Compiles include/artemis/error.h on its own: public headers must be self-contained. */
#include "artemis/error.h"
typedef int headertest_error_h;
