/* Compiles include/artemis/s3.h on its own: public headers must be self-contained. */
#include "artemis/s3.h"
typedef int headertest_s3_h;
