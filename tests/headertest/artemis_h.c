/* Compiles include/artemis/artemis.h on its own: public headers must be self-contained. */
#include "artemis/artemis.h"
typedef int headertest_artemis_h;
