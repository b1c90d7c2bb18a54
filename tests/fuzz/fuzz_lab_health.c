/* The lab health reader (a switch log's send errors) on arbitrary text: an error or a
 * verdict, never a crash; what it accepts has a consistent count. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/log.h"
#include "lab/lab_health.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0]) {
		log_set_verbosity(-1);
		snprintf(path, sizeof(path), "/tmp/ptpcal-fuzz-lab-health-%d.tsv", (int)getpid());
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct lab_health h;
	if (lab_health_read(path, &h) == 0) {
		if (h.frames == 0 || h.late > h.frames)
			abort();
		char buf[256];
		lab_health_describe(&h, buf, sizeof(buf));
	}
	unlink(path);
	return 0;
}
