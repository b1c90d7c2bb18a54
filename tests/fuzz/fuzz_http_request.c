/* The /metrics endpoint's request head parser (pipeline/http_metrics.c) on arbitrary bytes,
 * every prefix length as a client sending it in pieces would: no crash, no read past the
 * given length, and a complete head never turns back into "need more". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/http_metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 2 * HTTP_MAX_REQUEST)
		return 0;
	/* an exact-size copy, so that ASan sees any read beyond it */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct http_request rq;
	enum http_parse last = HTTP_NEED_MORE;
	size_t step = size > 512 ? size / 64 : 1;
	for (size_t n = 0; n <= size; n += step) {
		enum http_parse p = http_parse_request(buf, n, &rq);
		if (last != HTTP_NEED_MORE && p == HTTP_NEED_MORE)
			abort();
		if (p == HTTP_OK && (unsigned)rq.target > HTTP_T_OTHER)
			abort();
		(void)http_status_line(p, rq.target);
		last = p;
	}
	http_parse_request(buf, size, &rq);
	free(buf);
	return 0;
}
