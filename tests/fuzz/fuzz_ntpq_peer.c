/* sync's reading of `ntpq -pn` output (pipeline/sync_host.c ntpq_system_peer) on arbitrary
 * text, for a few units (ours, another, any): no crash, no overrun, the line always
 * terminated inside its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/sync_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	static const int units[] = { 2, 207, -1 };
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		char line[64];
		double off;
		ntpq_system_peer(text, units[i], &off, line, sizeof(line));
		if (strlen(line) >= sizeof(line))
			abort();
	}
	free(text);
	return 0;
}
