/* The references a calibration accepts, and the bias series each gives.
 *
 * The bias of a PTP offset is b = theta^ - theta (correction.h): the two-way estimate minus
 * the true offset. Two-way exchanges alone cannot show it; the true offset theta comes from:
 *   truth     a `truth` dataset (PPS/EXTTS pairing, a two-sided capture, a counter log:
 *             docs/dataset-format.md), interpolated at each exchange's Sync receive time;
 *   lab       `# truth_offset_ns` metadata on lab or replayed exchanges (one host clock:
 *             exact), or a lab dataset directory, replayed with `ptpcal lab replay`'s code;
 *   baseline  the same clock measured through a known-symmetric path (direct cable):
 *             b = mean(offset through the path under test) - mean(offset through the
 *             baseline), valid when theta is the same in both runs (e.g. the lab's one
 *             clock, or a clock held by an independent reference);
 *   known     a user-stated true offset with its 95 % uncertainty (time-interval counter).
 * Each sample of the series is theta^_i - theta_i (ns) at t_s seconds since the first. */
#ifndef PTPCAL_REFERENCE_H
#define PTPCAL_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

#include "common/ptime.h"

enum cal_ref_kind { CAL_REF_NONE, CAL_REF_TRUTH, CAL_REF_LAB, CAL_REF_BASELINE, CAL_REF_KNOWN };

/* The exchanges of one run and what their metadata says. */
struct cal_series {
	char path[600];       /* the exchanges file (or the lab dataset it was replayed from) */
	size_t n;
	struct ptime *t2;     /* Sync receive time (client clock), exact */
	double *t_s;          /* seconds since the first */
	double *v;            /* offset_ns, then offset_ns - truth once a reference is applied */
	double *w;            /* per-sample weight for the mean (NULL: all 1): ptp4l's *_weight
			       * tsproc modes, see calibrate/ptp4l_series.h */
	/* What a replay of ptp4l's estimator needs (per exchange, as loaded): */
	int64_t *t2_ns, *t3_ns;
	double *fwd, *rev;    /* t2 - t1c and t4c - t3, ns (capture/exchange.h) */
	double duration_s;
	double asym_ns;       /* the client's delayAsymmetry as it sent it (NAN if it changed) */
	bool has_truth_meta;  /* `# truth_offset_ns` found */
	double truth_offset_ns;
	char truth_source[200];
	char timescale[24];   /* exchanges' `timescale` metadata ("" if none) */
	bool free_running;    /* lab: `# free_running: 1` (no servo lock to check) */
};

/* Loads an exchanges dataset, or a lab dataset directory (DIR/manifest.tsv; client NULL =
 * its first client), which is replayed to a temporary exchanges file first. Exit code:
 * 0, or EXIT_USAGE after one line. */
int cal_series_load(struct cal_series *s, const char *path, const char *client);
void cal_series_free(struct cal_series *s);
/* A deep copy (e.g. one series per estimator). */
void cal_series_copy(struct cal_series *dst, const struct cal_series *src);

/* theta_i from a truth dataset (columns t, offset_ns; `timescale` metadata compared with the
 * exchanges'), linearly interpolated at each t2; exchanges outside the truth's span are
 * dropped. *timescale_clash is set when both timescales are known and differ. Exit code. */
int cal_series_subtract_truth(struct cal_series *s, const char *truth_path, bool *timescale_clash,
			      char *why, size_t whylen);
/* theta_i = constant (truth_offset_ns metadata or a stated offset). */
void cal_series_subtract_const(struct cal_series *s, double theta_ns);

/* "NS", "NS±U", "NS+-U", "NS:U" with optional units on each (e.g. "-85us±2us"). */
bool cal_parse_known_offset(const char *s, double *ns, double *u95_ns);

/* One line per reference that would work, for a refusal. */
extern const char cal_reference_help[];

#endif
