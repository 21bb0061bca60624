/*
 * The unit tests' one check: CHECK(name, cond) prints "PASS: name" or
 * "FAIL: name (line N)" for tests/run.sh and counts the failures, which
 * main() returns as its status (failures != 0).
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(name, cond)                                                      \
	do {                                                                   \
		if (cond)                                                      \
			printf("PASS: %s\n", name);                            \
		else {                                                         \
			printf("FAIL: %s (line %d)\n", name, __LINE__);        \
			failures++;                                            \
		}                                                              \
	} while (0)

#endif
