/* Test helper: small deterministic PRNGs, so a failing case reproduces from its seed.
 * Each caller keeps its own state. */
#ifndef ARTEMIS_TEST_RANDOM_H
#define ARTEMIS_TEST_RANDOM_H

#include <stdint.h>

/* xorshift64*; the state must not be 0. */
uint64_t xorshift64star(uint64_t* state);
/* splitmix64; any state. */
uint64_t splitmix64(uint64_t* state);

#endif
