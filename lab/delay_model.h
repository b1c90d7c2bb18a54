/* The delay one direction of the emulated switch adds to each frame: a fixed delay plus a
 * delay variation drawn from a distribution (constant, uniform, normal, exponential, or a
 * replayed trace), with optional loss and reordering. Seeded (GSL mt19937), so a run is
 * reproducible from its seed, and the expected mean delay is known by construction: that is
 * the truth the lab writes into its datasets.
 *
 * Spec syntax (one direction), comma-separated, the first item may be a bare duration:
 *   300us                              fixed 300 us, no variation
 *   delay=300us,pdv=normal:20us        + N(0, 20 us) clipped at +-4 sigma (mean unchanged)
 *   delay=100us,pdv=uniform:0:50us     + U(0, 50 us)               (mean +25 us)
 *   delay=100us,pdv=exp:30us           + Exp(mean 30 us)            (skewed: median < mean)
 *   delay=0,pdv=trace:FILE             + the values of FILE in order, cycled (ns, or with a
 *                                        unit; one per line, '#' comments)
 *   loss=1%   (or 0.01)                each frame lost with this probability
 *   reorder=0.5%:300us                 with this probability a frame is held this much longer
 *                                      and later frames may overtake it (default hold 300 us)
 *   order=fifo|free                    fifo (default): a frame never leaves before one that
 *                                      arrived earlier on the same path, as in a real switch
 *                                      queue; free: each frame keeps its own sampled delay
 * Durations take ns/us/µs/ms/s; a bare number is ns. */
#ifndef PTPCAL_DELAY_MODEL_H
#define PTPCAL_DELAY_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

enum pdv_kind { PDV_CONSTANT = 0, PDV_UNIFORM, PDV_NORMAL, PDV_EXPONENTIAL, PDV_TRACE };

#define DELAY_TRACE_MAX 10000000 /* values a trace file may hold */
#define DELAY_MAX_NS 10000000000LL /* 10 s: more is a typo */

struct delay_spec {
	int64_t fixed_ns;
	enum pdv_kind pdv;
	double a_ns, b_ns;   /* uniform [a, b]; normal sigma = a; exponential mean = a */
	char trace_path[512];
	double loss;         /* probability 0..1 */
	double reorder;      /* probability 0..1 */
	int64_t reorder_ns;  /* extra hold of a reordered frame */
	bool fifo;
};

/* Parse a spec. On error returns false with a one-line reason in err (no newline). */
bool delay_spec_parse(const char *s, struct delay_spec *out, char *err, size_t errlen);
/* The spec as text that delay_spec_parse reads back (for metadata). */
const char *delay_spec_format(const struct delay_spec *s, char *buf, size_t len);
const char *pdv_kind_name(enum pdv_kind k);

struct delay_model {
	struct delay_spec spec;
	gsl_rng *rng;
	int64_t *trace;      /* PDV_TRACE: the values, ns */
	size_t trace_n, trace_pos;
	double trace_mean_ns;
	int64_t trace_min_ns;
};

/* Loads the trace if any. False with a reason in err (file and line). */
bool delay_model_init(struct delay_model *m, const struct delay_spec *s, unsigned long seed,
		      char *err, size_t errlen);
void delay_model_free(struct delay_model *m);

/* The expected value of the sampled delay (fixed + mean variation), ns, before loss,
 * reordering holds and FIFO queueing. */
double delay_model_mean_ns(const struct delay_model *m);
/* Expected mean including the reordering hold (p * hold): what a frame's delay averages to
 * when FIFO queueing never engages (frames further apart than the variation). */
double delay_model_expected_ns(const struct delay_model *m);

struct delay_draw {
	int64_t delay_ns;   /* sampled delay, >= 0, including any reorder hold */
	bool lost;
	bool reordered;
};
void delay_model_draw(struct delay_model *m, struct delay_draw *out);

#endif
