/* The dataset reader (header, metadata, rows, typed fields) and the exchanges reader on
 * arbitrary text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "capture/exchange_io.h"
#include "common/dataset.h"
#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0]) {
		log_set_verbosity(-1);
		snprintf(path, sizeof(path), "/tmp/ptpcal-fuzz-dataset-%d.tsv", (int)getpid());
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct ds_reader *r = ds_open(path, NULL);
	if (r) {
		int rows = 0, rc;
		while (rows++ < 100000 && (rc = ds_next(r)) != 0) {
			if (rc < 0)
				continue; /* malformed row, reported; the reader goes on */
			struct ptime t;
			double d;
			int64_t i;
			for (int c = 0; c < ds_ncols(r) && c < 8; c++) {
				ds_get_time(r, c, &t);
				ds_get_double(r, c, &d);
				ds_get_i64(r, c, &i);
			}
		}
		ds_reader_close(r);
	}
	struct exchange_reader er;
	if (exchange_reader_open(&er, path)) {
		struct exchange ex;
		int rows = 0;
		while (rows++ < 100000 && exchange_reader_next(&er, &ex) != 0)
			;
		exchange_reader_close(&er);
	}
	unlink(path);
	return 0;
}
