/* Runs every Check suite (the list is generated from tests/unit/test_*.c file names) and
 * prints Check's summary line. Exit status: 0 when every test passed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUITE(name) Suite *name##_suite(void);
#include "suites.inc"
#undef SUITE

int main(int argc, char **argv)
{
	/* Optional: run only the suites named on the command line. */
	SRunner *sr = srunner_create(NULL);
	int added = 0;
#define SUITE(name)                                                                            \
	do {                                                                                   \
		int want = argc < 2;                                                           \
		for (int i = 1; i < argc; i++)                                                 \
			want |= strcmp(argv[i], #name) == 0;                                   \
		if (want) {                                                                    \
			srunner_add_suite(sr, name##_suite());                                 \
			added++;                                                               \
		}                                                                              \
	} while (0);
#include "suites.inc"
#undef SUITE
	if (!added) {
		fprintf(stderr, "unit-tests: no such suite\n");
		return 2;
	}
	srunner_run_all(sr, getenv("CK_VERBOSITY") ? CK_ENV : CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
