/* One run of `ptpcal analyze`: inputs in, every result the text, JSON and --out writers
 * print. The steps, in order:
 *   1. load the exchanges (time order), the truth (dataset, --truth-offset or the datasets'
 *      truth_offset_ns) and the servo log;
 *   2. settling: mark the pull-in phase (analyze/settling.h) -- excluded from everything below;
 *   3. distributions of offset and delay (analyze/distribution.h) over the locked samples;
 *   4. lucky-packet filter if asked (analyze/lucky.h) -- applies to the bias and asymmetry;
 *   5. with a truth: the bias (offset - truth) and the per-exchange asymmetry, each with the
 *      autocorrelation-aware interval of analyze/bias.h; without one, what two-way exchanges
 *      can show (delay changes, one-way delay variation);
 *   6. stability and time error of the offset (analyze/stab_run.h);
 *   7. rolling windows; findings, and protocol health from messages datasets or capture files
 *      (analyze/health.h; a capture file is also paired into exchanges).
 * With only messages (no exchanges) steps 2-7 are skipped and the distributions are empty.
 * Without exchanges, a truth, servo or ntpshm dataset is analysed as an offset series of its
 * own (distribution, settling, stability, time error; no delays, no bias).
 * With --series phase|freq the one input is a plain series (analyze/series_in.h): only its
 * distribution (phase, in ns), stability and time error are computed. */
#ifndef PTPCAL_ANALYSIS_H
#define PTPCAL_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/bias.h"
#include "analyze/distribution.h"
#include "analyze/findings.h"
#include "analyze/health.h"
#include "common/leapfile.h"
#include "analyze/lucky.h"
#include "analyze/ptp4l_estimator.h"
#include "analyze/rolling.h"
#include "analyze/exseries.h"
#include "analyze/settling.h"
#include "analyze/stab_run.h"

#define AN_MAX_WINDOWS 8
#define AN_MAX_INPUTS 64

struct analyze_opts {
	const char *inputs[AN_MAX_INPUTS];
	int ninputs;
	const char *truth_path;        /* --truth */
	bool have_truth_offset;        /* --truth-offset */
	double truth_offset_ns;
	double lucky_pct;              /* 0: off */
	enum settle_mode settle;
	double settle_s;
	int64_t window_ns[AN_MAX_WINDOWS];
	int nwindows;
	const char *servo_log;         /* --ptp4l-log */
	const char *leapsec_path;      /* NULL: LEAPFILE_DEFAULT */
	struct stab_run_opts stab;     /* --tau */
	enum { SERIES_NONE, SERIES_PHASE, SERIES_FREQ } series; /* --series */
	double rate_hz;                /* --rate */
	struct ptp4l_estimator_cfg ptp4l_est; /* --ptp4l-conf, --tsproc-mode, --delay-filter... */
};

struct an_rolling {
	struct rolling_summary offset, delay, bias; /* bias: windows = 0 without a truth */
};

struct analysis {
	const struct analyze_opts *opts;
	struct ex_series s;
	size_t samples;            /* exchanges read */
	double duration_s;
	int64_t start_ns;
	struct dist offset, delay; /* locked samples */
	struct settling settling;
	bool have_lucky;
	struct lucky_result lucky;
	bool have_truth;
	char reference[400];
	size_t truth_n;            /* exchanges with a truth */
	bool have_bias, have_asym;
	struct bias_estimate bias, asym;
	/* ptp4l's own estimator replayed on the exchanges (analyze/ptp4l_estimator.h): the
	 * offsets a ptp4l client computes per Sync and the bias its servo settles at. */
	bool have_p4;              /* replayed (exchanges of one session) */
	size_t p4_syncs, p4_used;  /* Syncs with an offset; used for the mean (settled) */
	double p4_offset_mean;     /* mean of ptp4l's offsets over the used Syncs, ns */
	double p4_minus_mean;      /* that minus the mean two-way offset of the same Syncs */
	bool have_p4_bias;         /* with a truth: offset - truth, the servo's settled bias */
	struct bias_estimate p4_bias;
	struct ptp4l_replay p4;    /* per Sync (empty unless have_p4) */
	bool *p4_use;              /* per Sync: behind the means */
	size_t bias_n;             /* samples behind bias/asym */
	/* What two-way exchanges show without a truth (and with one): */
	double fwd_jitter_ns, rev_jitter_ns; /* std of sample-to-sample changes / sqrt 2 */
	double fwd_std_ns, rev_std_ns;
	int nroll;
	struct an_rolling roll[AN_MAX_WINDOWS];
	struct findings findings;
	struct servo_log servo;
	bool have_servo;
	struct health *health;     /* protocol health, when messages or a capture were given */
	bool have_leapsec;
	struct leapfile leapsec;
	double truth_median_ns;    /* median true offset (for the TAI/UTC check), NAN if none */
	struct stab_run stab;      /* stability and time error */
	/* What the samples are: "exchanges", or an offset-only series analysed on its own when
	 * no exchanges were given: "truth" (a truth dataset: the clock's own error), "servo",
	 * "ntpshm"; "messages" for protocol health only; "series" for --series. */
	const char *input_kind;
};

/* Runs the analysis. Returns EXIT_OK, or EXIT_USAGE after printing one line naming the file
 * or option. an must be freed with analysis_free in either case. */
int analysis_run(const struct analyze_opts *o, struct analysis *an);
void analysis_free(struct analysis *an);

/* The value the bias is computed from for sample i: offset - truth (NAN without). */
static inline double analysis_error(const struct analysis *an, size_t i)
{
	return an->s.offset[i] - an->s.theta[i];
}

/* The bias in consecutive windows (for plots): the first --window duration that gives at
 * least 4 windows, else a 1/8 of the run. Each window with >= 8 samples gets its own 95 %
 * interval (analyze/bias.h). Returns the count (allocated in *out); 0 without a truth. */
struct bias_window {
	int64_t t_mid_ns;
	size_t n;
	double mean, ci_lo, ci_hi;
	size_t batches;   /* behind the interval: Student t with batches - 1 degrees of freedom */
};
size_t analysis_bias_windows(const struct analysis *an, double *width_s, struct bias_window **out);

/* Stationarity between windows (e.g. between hours): each window's mean against the run's
 * mean, in units of their combined standard error (each 95 % half-width over its Student t
 * quantile, analyze/bias.h), against a Student t threshold with the window's degrees of
 * freedom, Bonferroni-corrected over the nw windows (a stationary run is flagged in ~5 % of
 * cases whatever nw). Returns the largest ratio z / limit (> 1: not stationary) and which
 * window it was. */
double analysis_window_excess(const struct bias_window *bw, size_t nw, double mean,
			      double se_run, size_t *worst_i, double *worst_z, double *worst_lim);

/* Reads the kind on a dataset's first line ("exchanges", "truth" ...) into kind; "" when the
 * file is not a ptpcal dataset. false (printed) when it cannot be read. */
bool analysis_sniff_kind(const char *path, char *kind, size_t len);

#endif
