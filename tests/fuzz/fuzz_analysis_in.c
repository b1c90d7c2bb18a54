/* The report's reader of an analysis directory (report/analysis_in.h: `ptpcal report
 * --from-analysis DIR`): summary.json and the plotting datasets. The input is split at lines
 * "----" into summary.json, series.tsv, histogram_offset.tsv, stability.tsv,
 * bias_windows.tsv and te_masks.tsv (a missing part: that file is absent). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "report/analysis_in.h"
#include "tests/fuzz/split_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "summary.json", "series.tsv", "histogram_offset.tsv",
				     "stability.tsv", "bias_windows.tsv", "te_masks.tsv" };
#define NFILES (sizeof(names) / sizeof(names[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *dir;
	if (!dir) {
		log_set_verbosity(-1);
		dir = fuzz_scratch_dir("analysis-in");
	}
	if (size > 200000)
		return 0;
	if (fuzz_split_files(data, size, dir, names, NFILES) != 0)
		return 0;
	struct analysis_in *a = calloc(1, sizeof(*a));
	if (analysis_load(a, dir))
		for (size_t r = 0; r < a->stability.nrows; r++)
			table_get(&a->stability, r, table_col(&a->stability, "adev"));
	analysis_in_free(a); /* as report_cmd.c: also after a failed load */
	free(a);
	return 0;
}
