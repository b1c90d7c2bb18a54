/* The plain series reader on arbitrary bytes; what it accepts goes through the stability
 * statistics (octave taus and the extreme averaging factors) and the G.8273.2 time-error
 * evaluation, which must not crash on any finite input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyze/series_in.h"
#include "analyze/stability.h"
#include "analyze/time_error.h"
#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	if (!quiet) {
		quiet = 1;
		log_set_verbosity(-1);
	}
	if (size > 1 << 16)
		return 0;
	struct value_series s;
	if (value_series_parse((const char *)data, size, "fuzz", &s) != 0)
		return 0;
	if (s.n >= 3) {
		long m[32];
		size_t nm = stab_taus(s.n, STAB_OCTAVE, m, 32);
		struct stab_point p[32];
		if (stab_compute(s.v, s.n, 1.0, m, nm, STAB_ALL, p) != 0)
			abort(); /* the reader only returns finite values */
		long edge[5] = { 1, (long)s.n / 3, (long)s.n / 2, (long)s.n - 1, (long)s.n };
		if (stab_compute(s.v, s.n, 0.125, edge, 5, STAB_ALL, p) != 0)
			abort();
		struct te_report te;
		te_evaluate(s.v, s.n, 1.0, &te);
	}
	value_series_free(&s);
	return 0;
}
