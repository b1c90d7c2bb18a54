/* The body shared by the log-importer fuzz targets (fuzz_import_*.c): each defines
 * IMPORT_NAME (for its temp file) and IMPORT_FORMATS (enum daemon_log values) and includes
 * this once. On arbitrary bytes: every line through both line parsers (lp_parse_line and
 * tl_parse_line for each format), then the whole input through log_import for each format
 * (dataset to /dev/null). */
#ifndef PTPCAL_FUZZ_IMPORT_COMMON_H
#define PTPCAL_FUZZ_IMPORT_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/log_import.h"
#include "common/log.h"

#if !defined(IMPORT_NAME) || !defined(IMPORT_FORMATS)
#error "define IMPORT_NAME and IMPORT_FORMATS before including import_common.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum daemon_log formats[] = { IMPORT_FORMATS };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0]) {
		log_set_verbosity(-1);
		snprintf(path, sizeof(path), "/tmp/ptpcal-fuzz-import-%s-%d.log", IMPORT_NAME,
			 (int)getpid());
		if (!freopen("/dev/null", "w", stderr))
			return 0;
	}
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	char why[160];
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		struct lp_line l;
		lp_parse_line(line, &l, why, sizeof(why));
		for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
			struct tl_row r;
			tl_parse_line(formats[i], line, &r, why, sizeof(why));
		}
	}
	free(text);
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct import_stats st;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		log_import(formats[i], path, "/dev/null", &st);
	unlink(path);
	return 0;
}

#endif
