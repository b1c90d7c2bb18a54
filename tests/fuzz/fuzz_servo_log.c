/* ptp4l / phc2sys log lines and servo datasets: the line parser on each line, then the whole
 * file through servo_log_load and the settling rule. */
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
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	double t, off;
	int st;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		servo_log_parse_line(line, &t, &off, &st);
	free(text);
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
