/* Compiles include/artemis/arrow_c.h on its own: public headers must be self-contained. */
#include "artemis/arrow_c.h"
typedef int headertest_arrow_c_h;
