/* The recorded clock-source reader (clock_replay.c: `phc`, `pps`, `extts` datasets) on
 * arbitrary text, and its events through the truth pairer (both clocks), which must never
 * crash, whatever the times. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "capture/clocksrc.h"
#include "capture/truth_pair.h"
#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *ctx, const struct truth_sample *s)
{
	(void)ctx;
	(void)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0]) {
		log_set_verbosity(-1);
		snprintf(path, sizeof(path), "/tmp/ptpcal-fuzz-clock-%d.tsv", (int)getpid());
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct clocksrc *s = clock_replay_open(path, NULL);
	if (s) {
		struct truth_opts o1 = { TRUTH_CLOCK_PHC, 0 }, o2 = { TRUTH_CLOCK_SYSTEM, 0 };
		struct truth_pairer *a = truth_pairer_new(&o1, sink, NULL);
		struct truth_pairer *b = truth_pairer_new(&o2, sink, NULL);
		struct clk_event ev;
		int n = 0, rc;
		while (n++ < 100000 && (rc = clocksrc_next(s, 0, &ev)) == 1) {
			if (ev.kind == CLK_PHC_READING) {
				truth_pairer_reading(a, &ev);
				truth_pairer_reading(b, &ev);
				/* the same reading as an edge of each kind too */
				ev.kind = (n & 1) ? CLK_EXTTS : CLK_PPS_ASSERT;
			}
			truth_pairer_edge(a, &ev);
			truth_pairer_edge(b, &ev);
		}
		truth_pairer_finish(a);
		truth_pairer_finish(b);
		truth_pairer_free(a);
		truth_pairer_free(b);
		clocksrc_close(s);
	}
	unlink(path);
	return 0;
}
