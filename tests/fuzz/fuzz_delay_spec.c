/* The emulated switch's delay-spec parser (lab/delay_model.h) on arbitrary text, and the
 * model it builds (a few draws), and its text form read back. Trace files are not read: a
 * fuzzer must not open paths it made up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab/delay_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	struct delay_spec spec;
	char err[256];
	if (delay_spec_parse(s, &spec, err, sizeof(err)) && spec.pdv != PDV_TRACE) {
		struct delay_model m;
		if (delay_model_init(&m, &spec, 1, err, sizeof(err))) {
			for (int i = 0; i < 16; i++) {
				struct delay_draw d;
				delay_model_draw(&m, &d);
				if (d.delay_ns < 0)
					abort();
			}
			delay_model_free(&m);
		}
		char buf[1024];
		struct delay_spec again;
		delay_spec_format(&spec, buf, sizeof(buf));
		if (!delay_spec_parse(buf, &again, err, sizeof(err)))
			abort(); /* what we print must read back */
	}
	free(s);
	return 0;
}
