#include <stdio.h>
#include "artemis/artemis.h"
int main(void) {
  printf("artemis-write %s\n", artemis_version_string());
  return 0;
}
