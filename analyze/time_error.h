/* Time-error metrics of ITU-T G.8273.2 (T-BC / T-TSC performance) and the network limits of
 * G.8271.1, from a time-error series TE(t) = clock under test - reference, in ns, sampled at
 * a constant rate.
 *
 * CONTRACT shared with the analyze command and the report: field names and meanings do not
 * change without updating every user. Every limit is cited to its clause in the .c file. */
#ifndef PTPCAL_TIME_ERROR_H
#define PTPCAL_TIME_ERROR_H

#include <stdbool.h>
#include <stddef.h>

enum te_class { TE_CLASS_A = 0, TE_CLASS_B, TE_CLASS_C, TE_CLASS_D, TE_NCLASSES };

#define TE_MAX_MASK_POINTS 32

struct te_mask_check {
	size_t npoints;
	double tau[TE_MAX_MASK_POINTS];    /* observation intervals, s */
	double value[TE_MAX_MASK_POINTS];  /* measured MTIE or TDEV, ns */
	double limit[TE_MAX_MASK_POINTS];  /* the mask at that tau, ns (NAN: no limit there) */
	bool pass;                         /* every point with a limit is within it */
};

struct te_class_verdict {
	/* ns; NAN where the class has none. max_abs_te_limit/_pass: of class D they are the
	 * max|TE_L| limit and verdict (0.1 Hz low-pass filtered TE), of A-C max|TE| (unfiltered):
	 * te_max_abs_te_label() names which. */
	double max_abs_te_limit, cte_limit, dte_h_pp_limit;
	bool max_abs_te_pass, cte_pass, dte_l_mtie_pass, dte_l_tdev_pass, dte_h_pass;
	bool pass; /* all of the above that apply */
};

struct te_report {
	size_t n;
	double rate_hz;
	double duration_s;
	double max_abs_te;  /* max |TE|, unfiltered, ns */
	double cte;         /* constant time error: mean of TE over the run (G.8260 def.), ns */
	double dte_l_pp;    /* peak-to-peak of the 0.1 Hz low-pass filtered dynamic TE, ns */
	double dte_h_pp;    /* peak-to-peak of the high-pass (TE - low-pass) part, ns */
	struct te_mask_check dte_l_mtie; /* MTIE of dTE_L against the class's mask */
	struct te_mask_check dte_l_tdev; /* TDEV of dTE_L against the class's mask */
	struct te_class_verdict verdict[TE_NCLASSES];
	const char *notes;  /* e.g. "run shorter than 1000 s: MTIE mask checked to 250 s only" */

	/* Appended (the fields above keep their meaning). */
	double max_abs_te_l; /* max |TE_L|: 0.1 Hz low-pass filtered TE after the settling, ns */
	/* G.8271.1 network limits at reference point C (clause 7.3.1, deployment case 1), on
	 * the same filtered TE_L: max|TE_L| and the dTE_L MTIE mask (limits: NAN where none). */
	struct te_network_verdict {
		double max_abs_te_l_limit;    /* ns */
		bool max_abs_te_l_pass;
		struct te_mask_check dte_l_mtie; /* MTIE of TE_L at taus to 10000 s vs the mask */
		bool pass;                    /* both of the above */
	} net_c;
};

/* te_ns[0..n) at rate_hz samples per second. Returns 0, or -1 (too short, bad rate). */
int te_evaluate(const double *te_ns, size_t n, double rate_hz, struct te_report *out);
/* The same on TE = te[i] * scale ns (e.g. phase in s and 1e9), without a scaled copy. The
 * filtered TE is kept in scratch (at least n doubles; NULL: allocated here). */
int te_evaluate_scaled(const double *te, double scale, size_t n, double rate_hz,
		       double *scratch, struct te_report *out);
const char *te_class_name(enum te_class c); /* "A", "B", "C", "D" */

/* The G.8273.2 dTE_L MTIE / TDEV mask of class c at observation interval tau_s, in ns; NAN
 * where the class has no limit at that tau (added by the stability helper for te_masks.tsv:
 * te_report's mask structs carry class A's limits). */
double te_mtie_limit(enum te_class c, double tau_s);
double te_tdev_limit(enum te_class c, double tau_s);

/* What max_abs_te_limit/_pass of class c limit: "max|TE|" (unfiltered; classes A-C) or
 * "max|TE_L|" (0.1 Hz low-pass filtered; class D). */
const char *te_max_abs_te_label(enum te_class c);

/* The G.8271.1 dTE_L MTIE network limit at reference point C (clause 7.3.1, Table 7-1) at
 * observation interval tau_s, in ns; NAN outside 1.3 s < tau <= 10000 s. */
double te_net_c_mtie_limit(double tau_s);
#define TE_NET_C_MAX_ABS_TE_L_NS 1100.0 /* G.8271.1 clause 7.3.1: max|TE_L| at point C */

#endif
