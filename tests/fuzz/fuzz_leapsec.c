/* leap-seconds.list parsing on arbitrary bytes (no NUL needed), and lookups in what parsed. */
#include <stdint.h>
#include <stdlib.h>

#include "analyze/leapsec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct leapsec ls;
	if (leapsec_parse((const char *)data, size, &ls)) {
		int v;
		leapsec_tai_utc(&ls, 0, &v);
		leapsec_tai_utc(&ls, INT64_MAX, &v);
		leapsec_tai_utc(&ls, INT64_MIN, &v);
		for (size_t i = 0; i < ls.n; i++)
			leapsec_tai_utc(&ls, ls.since_unix[i], &v);
	}
	return 0;
}
