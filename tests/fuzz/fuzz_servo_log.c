/* analyze's servo-log loader on arbitrary bytes: a ptp4l / phc2sys log or a servo dataset,
 * through servo_log_load and the settling rule. The line parser it uses (lp_parse_line) is
 * fuzzed line by line in fuzz_import_linuxptp.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/settling.h"
#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0]) {
		log_set_verbosity(-1);
		snprintf(path, sizeof(path), "/tmp/ptpcal-fuzz-servo-%d.log", (int)getpid());
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct servo_log sl;
	if (servo_log_load(&sl, path)) {
		servo_log_settle_s(&sl);
		servo_log_free(&sl);
	}
	unlink(path);
	return 0;
}
