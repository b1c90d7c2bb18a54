/* The leap-seconds.list parser on arbitrary bytes, then lookups over the parsed table. */
#include <stdint.h>
#include <stdio.h>

#include "common/leapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct leapfile lf;
	char err[256];
	if (!leapfile_parse("fuzz", (const char *)data, size, &lf, err, sizeof(err)))
		return 0;
	int v;
	for (int i = 0; i < lf.n; i++) {
		leapfile_tai_utc(&lf, lf.entries[i].since, &v);
		leapfile_tai_utc(&lf, lf.entries[i].since - 1, &v);
		leapfile_next(&lf, lf.entries[i].since);
	}
	leapfile_expired(&lf, 0);
	leapfile_free(&lf);
	return 0;
}
