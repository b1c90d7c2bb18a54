/* The strict JSON reader on arbitrary bytes: parse, then walk the whole tree through the
 * bounds-checked accessors. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/json_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static double walk(const struct jr_value *v, int depth)
{
	double acc = 0;
	if (!v || depth > JR_MAX_DEPTH + 1)
		return 0;
	int64_t i;
	if (jr_int(v, &i))
		acc += (double)(i & 1);
	acc += jr_num(v) == jr_num(v) ? 1 : 0;
	const char *s = jr_str(v);
	if (s)
		acc += (double)strlen(s);
	for (size_t k = 0; k < jr_len(v); k++)
		acc += walk(jr_at(v, k), depth + 1);
	if (v->type == JR_OBJECT)
		for (size_t k = 0; k < v->n; k++)
			acc += walk(jr_get(v, v->keys[k]), depth + 1);
	return acc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[200];
	struct jr_value *v = jr_parse((const char *)data, size, err, sizeof(err));
	if (v) {
		volatile double sink = walk(v, 0);
		(void)sink;
		jr_free(v);
	}
	return 0;
}
