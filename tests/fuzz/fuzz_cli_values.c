/* The option-value parsers every command uses (common/cli.h): durations ("1h30m", "250ms"),
 * sizes ("2G"), time values with SI units ("-2.5µs"), numbers and bounded integers, on
 * arbitrary text. Checks: what parses is in range (durations and sizes not negative, time
 * values finite, integers within their bounds) and the duration formatter takes it back. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	int64_t ns;
	char buf[64];
	if (parse_duration(s, &ns)) {
		if (ns < 0)
			abort();
		fmt_duration((double)ns, buf, sizeof(buf));
	}
	uint64_t bytes;
	parse_size(s, &bytes);
	double v;
	if (parse_time_value(s, 1000.0, &v)) {
		if (!isfinite(v))
			abort();
		fmt_si_time(v, buf, sizeof(buf));
	}
	if (parse_double_arg("--x", s, &v) && isnan(v))
		abort();
	long l;
	if (parse_int_arg("--n", s, -5, 1000, &l) && (l < -5 || l > 1000))
		abort();
	free(s);
	return 0;
}
