/* The fast number parser (common/numparse.h) against strtod on arbitrary bytes: whatever it
 * accepts must be exactly the double strtod reads from the same text, to the last bit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/numparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256)
		return 0;
	double v;
	if (!numparse_fast((const char *)data, size, &v))
		return 0;
	char buf[257];
	memcpy(buf, data, size);
	buf[size] = 0;
	char *end;
	double ref = strtod(buf, &end);
	if (end != buf + size || memcmp(&v, &ref, sizeof(v)) != 0)
		abort();
	return 0;
}
