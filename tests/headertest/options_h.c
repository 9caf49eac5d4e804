/* Compiles include/artemis/options.h on its own: public headers must be self-contained. */
#include "artemis/options.h"
typedef int headertest_options_h;
