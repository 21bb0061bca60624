/*
 * Replays inputs through a fuzz target without libFuzzer, so a normal
 * (gcc) build runs every saved finding in fuzz/regress/ on the same code
 * path the fuzzer found it on.  Each argument is a file; the program
 * prints "ok NAME" for each one that runs through, and a finding aborts
 * (the target checks what must hold, and a crash is a crash).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm.h"
#include "fuzz.h"

int
main(int argc, char **argv)
{
	size_t n;
	char *p, *copy;
	int i;

	nm_init(argv[0]);
	if (argc < 2) {
		fprintf(stderr, "usage: %s file ...\n", argv[0]);
		return NM_EXIT_USAGE;
	}
	for (i = 1; i < argc; i++) {
		/* Far above any input the fuzzer makes (its -max_len). */
		if ((p = nm_slurp(argv[i], (size_t)1 << 30, &n)) == NULL)
			nm_die(NM_EXIT_NOSOURCE, "%s: %s", argv[i],
			    strerror(errno));
		/* a copy of exactly n bytes: reads past it are findings */
		copy = emalloc(n ? n : 1);
		memcpy(copy, p, n);
		free(p);
		LLVMFuzzerTestOneInput((const uint8_t *)copy, n);
		free(copy);
		printf("ok %s\n", argv[i]);
	}
	return NM_EXIT_OK;
}
