/* Compiles include/artemis/sample.h on its own: public headers must be self-contained. */
#include "artemis/sample.h"
typedef int headertest_sample_h;
