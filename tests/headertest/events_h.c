/* Compiles include/artemis/events.h on its own: public headers must be self-contained. */
#include "artemis/events.h"
typedef int headertest_events_h;
