/* Compiles include/artemis/export.h on its own: public headers must be self-contained. */
#include "artemis/export.h"
typedef int headertest_export_h;
