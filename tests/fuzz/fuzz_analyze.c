/* The whole analysis on an arbitrary file given as its input: kind sniffing, the exchanges,
 * truth, servo and messages readers (protocol health), pcap detection, and every statistic on
 * whatever parsed; then the same bytes as a --series file (stability and time error). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analysis.h"
#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0]) {
		log_set_verbosity(-1);
		snprintf(path, sizeof(path), "/tmp/ptpcal-fuzz-analyze-%d.tsv", (int)getpid());
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	static struct analyze_opts o;
	memset(&o, 0, sizeof(o));
	o.inputs[0] = path;
	o.ninputs = 1;
	o.settle = SETTLE_AUTO;
	o.window_ns[0] = 1000000000LL;
	o.nwindows = 1;
	o.lucky_pct = size % 2 ? 20 : 0;
	ptp4l_estimator_cfg_default(&o.ptp4l_est); /* ptp4l's estimator replayed too */
	o.ptp4l_est.length = 1 + (int)(size % 12);
	struct analysis an;
	analysis_run(&o, &an);
	double w;
	struct bias_window *bw;
	if (an.opts) {
		analysis_bias_windows(&an, &w, &bw);
		free(bw);
	}
	analysis_free(&an);
	/* the same bytes as a plain phase / frequency series: reader, grid, stability, TE */
	memset(&o, 0, sizeof(o));
	o.inputs[0] = path;
	o.ninputs = 1;
	o.series = size % 2 ? SERIES_FREQ : SERIES_PHASE;
	o.rate_hz = 8;
	o.stab.spacing = STAB_DECADE;
	analysis_run(&o, &an);
	analysis_free(&an);
	unlink(path);
	return 0;
}
