/* Whether the lab kept time: the emulated switch logs, for every frame, when it was due to
 * leave (rx + the delay drawn for it) and when it did (sched_error_ns = tx - planned_tx).
 * The truth of a lab run comes from the actual departures, so a late frame does not falsify
 * it; but a switch that falls far behind (a machine loaded beyond its cores) no longer
 * realises the delay model it was given, and its PDV and asymmetry are the machine's, not
 * the lab's. This says which, with the figures: what tests read before they call a
 * statistical miss a failure (tests/e2e/_lib.sh lab_verdict). */
#ifndef PTPCAL_LAB_HEALTH_H
#define PTPCAL_LAB_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

/* A frame that left more than this after its due time was late, more than this before it
 * early (the switch sends early by its send-latency estimate: an estimate thrown off by a
 * stall sent frames 350 us early, a symmetric port measured 15 us asymmetric). 50 us: ten
 * times the switch's own median send error on a quiet 2-core VM (0.3-0.4 us), a quarter of
 * the smallest delay the tests configure. */
#define LAB_LATE_NS 50000.0
/* Kept time: at most this fraction of frames late or early, and the 99th percentile of the
 * send error within LAB_P99_LIMIT_NS (its 1st percentile within -LAB_P99_LIMIT_NS).
 * Quiet-machine figures (datasets/, 90 s runs): 1.1-1.8 % late, p99 56-87 us. */
#define LAB_LATE_FRACTION_LIMIT 0.05
#define LAB_P99_LIMIT_NS 250000.0
/* ... and no egress port's event messages of one type (Sync, Delay_Req, Pdelay_*) left on
 * average more than this after their due time: one frame 30 ms late among a 45 s run's 364
 * Syncs moves that port's mean Sync delay by 82 us (seen on a 2-core VM while only 0.5 % of
 * frames were late: the port realised +120 us of a +200 us asymmetry). 20 us: under the
 * verdicts' own margins (ptp4l's offset +-15 us is half a delay shift of 30 us). Groups of
 * fewer than LAB_MEAN_MIN_FRAMES frames are not judged. */
#define LAB_MEAN_LIMIT_NS 20000.0
#define LAB_MEAN_MIN_FRAMES 20

struct lab_health {
	uint64_t frames;   /* frames the switch sent */
	uint64_t late;     /* of which more than LAB_LATE_NS late */
	uint64_t early;    /* of which more than LAB_LATE_NS early */
	double p1_ns, p50_ns, p99_ns, min_ns, max_ns; /* send error: tx - planned_tx */
	/* the largest |mean send error| of one egress port's event frames of one type (all
	 * frames when the log has no out/type columns), and which: "sw2 Sync" */
	double worst_mean_ns;
	char worst_group[48];
	bool kept_time;
};

/* Reads a switch log (ptpcal lab switch --log, maybe compressed). 0, or -1 after printing
 * "file:line: why". */
int lab_health_read(const char *frames_path, struct lab_health *h);
/* "kept time: 1.2 % of 7554 frames late by > 50 us; send error p50 0.3 us, p99 87 us,
 * max 5.7 ms, mean of sw2 Sync 3.1 us" into buf (with ", 0.4 % early by > 50 us, min
 * -310 us" when any was). */
void lab_health_describe(const struct lab_health *h, char *buf, size_t len);
/* ptpcal lab health DIR|FRAMES.tsv [--json]: exit 0 kept time, 1 not, 2 bad input. */
int lab_health_main(int argc, char **argv);

#endif
