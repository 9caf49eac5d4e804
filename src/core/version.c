#include "artemis/artemis.h"

int artemis_version_number(void) { return ARTEMIS_VERSION_NUMBER; }
const char* artemis_version_string(void) { return ARTEMIS_VERSION_STRING; }
