/* Time-error metrics of ITU-T G.8273.2 clause 7.1 ("Time error noise generation" in the
 * table of contents of the 2023 edition, itu.int T-REC-G.8273.2-202408 Amd. 1 TOC) for a
 * T-BC / T-TSC, and the G.8271.1 network limits at reference point C, from a TE series in ns.
 *
 * EDITION FOLLOWED: G.8273.2/Y.1368.2 (06/2023) with its amendments; table numbers are that
 * edition's. The values are the same in the 2nd edition 10/2020 (+ Amd. 1 02/2022, Amd. 2
 * 11/2022) as tabulated by Calnex's one-page summary of that edition.
 *
 * VERIFICATION STATUS (docs/stability.md has the details): NOT ONE NUMBER BELOW WAS READ FROM
 * THE ITU TEXT ITSELF. Of the transcription of the 01/2017 edition at hobbydocbox.com the
 * reference index used here returned only its first pages (cover, series list) to every
 * query tried, and no other primary copy was reachable offline. What was checked:
 *  - primary (itu.int tables of contents): 7.1 "Time error noise generation" (08/2019,
 *    10/2020, 06/2023 and its Amd. 1); its subclauses in the 08/2019 and 10/2020 editions:
 *    7.1.1 constant time error noise generation (cTE), 7.1.2 dynamic time error low-pass
 *    filtered noise generation (dTE_L), 7.1.3 dynamic time error high-pass filtered noise
 *    generation (dTE_H), 7.1.4 relative time error (classes C and D; not used here);
 *  - primary (itu.int summaries): that
 *    Amd. 2 (01/2019) replaced the text of 7.1, 7.1.1, 7.1.2 and that (2020) Amd. 1 (approved
 *    2022-02-13, AAP 10195) changed clause 7.1 (summaries; they do not give the numbers);
 *  - a verbatim quote of the 06/2023 text (Red Hat vse-sync-test, tests/sync/G.8273.2/
 *    MTIE-for-LPF-filtered-series/.../testspec.adoc): dTE_L MTIE and TDEV "under constant
 *    temperature (within +-1 K) ... measured through a first-order low-pass filter with
 *    bandwidth of 0.1 Hz, should meet the limits in Table 7-4 and Table 7-5";
 *  - two secondary tabulations that agree on every value: Calnex "ITU-T G.8273.2 (T-BC and
 *    T-TSC) One-Page Summary" (2020 edition + amendments; an older version of the page for
 *    01/2017 + Amd. 1 08/2017 + Amd. 2 01/2019), and a transcription of G.8273.2 (2023) Amd. 2
 *    (11/2025) with table numbers (docs/TELECOM-TIMING.md of github.com/ashfordeOU/kshana).
 * Hence every limit is marked "unverified (source: ...)" below.
 *
 *   parameter                 conditions                  A     B     C     D     table
 *   max|TE|                   unfiltered                  100   70    30    ffs   7-1
 *   max|TE_L|                 0.1 Hz low-pass             -     -     -     5     7-2
 *   cTE (range +-)            averaged over 1000 s        50    20    10    ffs   7-3
 *   dTE_L MTIE, const. temp.  0.1 Hz LP, m <= tau <= 1000 40    40    10    ffs   7-4
 *   dTE_L TDEV, const. temp.  0.1 Hz LP, m <(=) tau<=1000 4     4     2     ffs   7-5
 *   dTE_L MTIE, var. temp.    0.1 Hz LP, to 10000 s       40    40    10    ffs   7-6 (not checked)
 *   dTE_H peak-to-peak        0.1 Hz high-pass            70    70    30    ffs   7-7
 *   (ns; ffs: "for further study" = no limit here; "-": none. m: the sampling interval of the
 *   measurement (1 s for 1PPS, per the transcription); checked here from tau = 1 s. TDEV:
 *   "m < tau" for A and B, "m <= tau" for C; at tau = 1 s this code applies all three.)
 *
 * Changes between editions (secondary sources only): class C dTE_H 30 ns and class C
 * variable-temperature MTIE 10 ns appear in the 2020-edition summary and in the 2023
 * transcription, as "-" in the summary of 01/2017 + Amd. 1 + Amd. 2 (01/2019). Class D's
 * only limit, max|TE_L| 5 ns, is in both summaries (so since Amd. 2 01/2019 at the latest;
 * its first appearance is unverified); the 2023 edition has it in a table of its own (7-2).
 *
 * G.8271.1 network limits at reference point C (clause 7.3 in the itu.int TOC of the 2018
 * Amd. 1; clause 7.3.1 since the amendment that added the enhanced limits as 7.3.3 and moved
 * old 7.5 to 7.3.2: itu.int summaries of (2022) Amd. 1 06/2023 and Amd. 2 01/2024), deployment
 * case 1, on TE after a first-order 0.1 Hz low-pass filter (unverified, source: the kshana
 * transcription of G.8271.1 (2022) Amd. 3 (05/2025); 1100 ns also in Calnex's G.8271.1
 * one-page summary, "Network limit point C"):
 *   max|TE_L| <= 1100 ns
 *   dTE_L MTIE (Table 7-1): 100 + 75 tau ns        1.3 < tau <= 2.4
 *                           277 + 1.1 tau ns       2.4 < tau <= 275
 *                           580 ns                 275 < tau <= 10000
 * (TDEV at point C is for further study; the enhanced limits of 7.3.2/7.3.3 are not checked.)
 *
 * Filter: G.8273.2 specifies dTE_L after a 0.1 Hz low-pass and dTE_H after a 0.1 Hz
 * high-pass. Used here: a FIRST-ORDER (single-pole RC) low-pass, fc = 0.1 Hz, time constant
 * tc = 1 / (2 pi fc), discretised exactly for TE varying linearly between samples (the
 * ramp-invariant or first-order-hold form: with h = 1/fs, b = exp(-h/tc),
 * y_k = b y_{k-1} + (1 - b) x_{k-1} + (1 - tc (1 - b) / h) (x_k - x_{k-1})), and its
 * complement TE - TE_L as the high-pass (the single-pole high-pass with the same corner).
 * Unlike the common y_k = y_{k-1} + a (x_k - y_{k-1}), whose high-pass part is too small by
 * the factor b (6 % at 10 Hz), this matches the analog filter's gain at all f << fs. The
 * filter starts settled on the first sample and the first 1/fc = 10 s (6.3 time constants:
 * residual transient < 0.2 %) are left out of dTE_L, dTE_H and max|TE_L|. max|TE| and cTE
 * use the whole run.
 *
 * cTE: the mean of TE over the whole run (G.8260 defines cTE as the mean over a
 * measurement period; G.8273.2 averages over 1000 s). */
#include "analyze/time_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/mtie.h"
#include "analyze/stability.h"
#include "common/bigmem.h"
#include "common/log.h"

#define TE_FC_HZ 0.1
#define TE_SETTLE_S (1.0 / TE_FC_HZ)
#define TE_MASK_MAX_TAU 1000.0

const char *te_class_name(enum te_class c)
{
	switch (c) {
	case TE_CLASS_A: return "A";
	case TE_CLASS_B: return "B";
	case TE_CLASS_C: return "C";
	case TE_CLASS_D: return "D";
	case TE_NCLASSES: break;
	}
	return "?";
}

struct te_limits {
	double max_abs_te, max_abs_te_l, cte, mtie, tdev, dte_h_pp;
};

/* G.8273.2 (06/2023) clause 7.1, Tables 7-1 (max|TE|), 7-2 (max|TE_L|), 7-3 (cTE), 7-4 (dTE_L
 * MTIE, constant temperature), 7-5 (dTE_L TDEV), 7-7 (dTE_H p-p); see the top comment.
 * Unverified (source: Calnex one-page summary; kshana transcription of 2023 Amd. 2).
 * NAN: no limit for the class ("for further study"). */
static const struct te_limits limits[TE_NCLASSES] = {
	[TE_CLASS_A] = { 100, NAN, 50, 40, 4, 70 },
	[TE_CLASS_B] = { 70, NAN, 20, 40, 4, 70 },
	[TE_CLASS_C] = { 30, NAN, 10, 10, 2, 30 },
	[TE_CLASS_D] = { NAN, 5, NAN, NAN, NAN, NAN },
};

/* dTE_L MTIE: G.8273.2 (06/2023) Table 7-4, TDEV: Table 7-5 (constant temperature), both
 * constant up to tau = 1000 s; from tau = 1 s here (the tables' lower end is m, the
 * measurement's sampling interval). Unverified (sources: see the top comment). */
double te_mtie_limit(enum te_class c, double tau_s)
{
	if ((unsigned)c >= TE_NCLASSES || !(tau_s >= 1.0) || tau_s > TE_MASK_MAX_TAU)
		return NAN;
	return limits[c].mtie;
}

double te_tdev_limit(enum te_class c, double tau_s)
{
	if ((unsigned)c >= TE_NCLASSES || !(tau_s >= 1.0) || tau_s > TE_MASK_MAX_TAU)
		return NAN;
	return limits[c].tdev;
}

const char *te_max_abs_te_label(enum te_class c)
{
	if ((unsigned)c >= TE_NCLASSES)
		return "?";
	return isnan(limits[c].max_abs_te) ? "max|TE_L|" : "max|TE|";
}

/* G.8271.1 clause 7.3.1 Table 7-1, dTE_L MTIE at reference point C (see the top comment;
 * unverified, source: kshana transcription of G.8271.1 (2022) Amd. 3). Each interval is
 * open at its lower end and closed at its upper end, as transcribed. */
double te_net_c_mtie_limit(double tau_s)
{
	if (!(tau_s > 1.3) || tau_s > 10000.0)
		return NAN;
	if (tau_s <= 2.4)
		return 100.0 + 75.0 * tau_s;
	if (tau_s <= 275.0)
		return 277.0 + 1.1 * tau_s;
	return 580.0;
}

static bool within(double v, double lim)
{
	return isnan(lim) || fabs(v) <= lim;
}

static void mask_fill(struct te_mask_check *mc, enum te_class c, bool mtie)
{
	mc->pass = true;
	for (size_t i = 0; i < mc->npoints; i++) {
		mc->limit[i] = mtie ? te_mtie_limit(c, mc->tau[i]) : te_tdev_limit(c, mc->tau[i]);
		if (!isnan(mc->limit[i]) && !(mc->value[i] <= mc->limit[i]))
			mc->pass = false;
	}
}

int te_evaluate(const double *te_ns, size_t n, double rate_hz, struct te_report *out)
{
	return te_evaluate_scaled(te_ns, 1.0, n, rate_hz, NULL, out);
}

/* TE(i) = te[i] * scale: the same products as a scaled copy, without the copy. */
#define TE(i) (te[i] * scale)

int te_evaluate_scaled(const double *te, double scale, size_t n, double rate_hz,
		       double *scratch, struct te_report *out)
{
	if (!te || !out || !(rate_hz > 0) || !isfinite(rate_hz))
		return -1;
	/* compared as doubles first: a huge rate must not overflow the conversions */
	if ((TE_SETTLE_S + 2.0) * rate_hz + 3 > (double)n)
		return -1;
	size_t settle = (size_t)ceil(TE_SETTLE_S * rate_hz);
	/* after the settling time, enough for at least a few points and one tau of 1 s */
	size_t min_after = (size_t)ceil(2.0 * rate_hz) + 3;
	if (n < settle + min_after)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(TE(i)))
			return -1;

	*out = (struct te_report){ 0 };
	out->n = n;
	out->rate_hz = rate_hz;
	out->duration_s = (double)(n - 1) / rate_hz;

	double sum = 0, maxabs = 0;
	for (size_t i = 0; i < n; i++) {
		double v = TE(i);
		sum += v;
		if (fabs(v) > maxabs)
			maxabs = fabs(v);
	}
	out->max_abs_te = maxabs;
	out->cte = sum / (double)n;

	/* First-order low-pass (see the top comment); TE_L kept after the settling time. */
	size_t nl = n - settle;
	double *tel = scratch ? scratch : bigmem_alloc(nl * sizeof(*tel));
	double tc = 1.0 / (2 * M_PI * TE_FC_HZ), h = 1.0 / rate_hz;
	double one_minus_b = -expm1(-h / tc), b = 1 - one_minus_b;
	double g = 1 - tc * one_minus_b / h;
	double y = TE(0);
	double lmin = INFINITY, lmax = -INFINITY, hmin = INFINITY, hmax = -INFINITY;
	double maxabs_l = 0;
	for (size_t i = 1; i < n; i++) {
		y = b * y + one_minus_b * TE(i - 1) + g * (TE(i) - TE(i - 1));
		if (i < settle)
			continue;
		double hp = TE(i) - y;
		tel[i - settle] = y;
		/* TE is finite (checked above): comparisons, not calls to fmin/fmax */
		lmin = y < lmin ? y : lmin;
		lmax = y > lmax ? y : lmax;
		hmin = hp < hmin ? hp : hmin;
		hmax = hp > hmax ? hp : hmax;
		maxabs_l = fabs(y) > maxabs_l ? fabs(y) : maxabs_l;
	}
	out->dte_l_pp = lmax - lmin;
	out->dte_h_pp = hmax - hmin;

	/* dTE_L MTIE and TDEV at 1, 2, 5, 10, ... 1000 s, where the filtered run allows: MTIE
	 * needs a window of m + 1 points (m < N), TDEV three spans (3m <= N, SP 1065 eq. 14). */
	static const double taus[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 };
	enum { NT = sizeof(taus) / sizeof(taus[0]) };
	long m_mtie[NT], m_tdev[NT];
	size_t n_mtie = 0, n_tdev = 0;
	bool truncated = false;
	for (size_t i = 0; i < NT; i++) {
		double mf = round(taus[i] * rate_hz);
		if (mf < 1)
			continue;
		if (mf < (double)nl)
			m_mtie[n_mtie++] = (long)mf;
		else
			truncated = true;
		if (3 * mf <= (double)nl)
			m_tdev[n_tdev++] = (long)mf;
		else
			truncated = true;
	}
	struct stab_point p[NT];
	if (n_tdev && stab_compute(tel, nl, 1.0 / rate_hz, m_tdev, n_tdev, STAB_TDEV, p) != 0)
		n_tdev = 0;
	out->dte_l_tdev.npoints = n_tdev;
	for (size_t i = 0; i < n_tdev; i++) {
		out->dte_l_tdev.tau[i] = p[i].tau;
		out->dte_l_tdev.value[i] = p[i].tdev;
	}

	/* G.8271.1 point C: dTE_L MTIE at taus in the mask's range (1.3 s < tau <= 10000 s),
	 * where the filtered run holds them; the breakpoint 275 s (end of the rising part) is
	 * one of them. */
	static const double net_taus[] = { 2, 5, 10, 20, 50, 100, 200, 275, 500, 1000, 2000,
					   5000, 10000 };
	enum { NNT = sizeof(net_taus) / sizeof(net_taus[0]) };
	long m_net[NNT];
	size_t n_net = 0;
	for (size_t i = 0; i < NNT; i++) {
		double mf = round(net_taus[i] * rate_hz);
		if (mf >= 1 && mf < (double)nl && (n_net == 0 || (long)mf > m_net[n_net - 1]))
			m_net[n_net++] = (long)mf;
	}
	/* MTIE at both lists' taus in one call (they share most of them) */
	long m_all[NT + NNT];
	double mt_all[NT + NNT], tau0 = 1.0 / rate_hz;
	size_t n_all = n_mtie, at_net[NNT];
	memcpy(m_all, m_mtie, n_mtie * sizeof(long));
	for (size_t i = 0; i < n_net; i++) {
		size_t j = 0;
		while (j < n_all && m_all[j] != m_net[i])
			j++;
		if (j == n_all)
			m_all[n_all++] = m_net[i];
		at_net[i] = j;
	}
	mtie_compute(tel, nl, m_all, n_all, mt_all);
	out->dte_l_mtie.npoints = n_mtie;
	for (size_t i = 0; i < n_mtie; i++) {
		out->dte_l_mtie.tau[i] = (double)m_mtie[i] * tau0;
		out->dte_l_mtie.value[i] = mt_all[i];
	}
	struct stab_point pn[NNT];
	for (size_t i = 0; i < n_net; i++) {
		pn[i].tau = (double)m_net[i] * tau0;
		pn[i].mtie = mt_all[at_net[i]];
	}
	struct te_mask_check *nm = &out->net_c.dte_l_mtie;
	nm->npoints = 0;
	nm->pass = true;
	for (size_t i = 0; i < n_net; i++) {
		double lim = te_net_c_mtie_limit(pn[i].tau);
		if (isnan(lim))
			continue; /* a tau rounded to the sample grid below 1.3 s */
		nm->tau[nm->npoints] = pn[i].tau;
		nm->value[nm->npoints] = pn[i].mtie;
		nm->limit[nm->npoints] = lim;
		if (!(pn[i].mtie <= lim))
			nm->pass = false;
		nm->npoints++;
	}
	out->max_abs_te_l = maxabs_l;
	out->net_c.max_abs_te_l_limit = TE_NET_C_MAX_ABS_TE_L_NS;
	out->net_c.max_abs_te_l_pass = maxabs_l <= TE_NET_C_MAX_ABS_TE_L_NS;
	out->net_c.pass = out->net_c.max_abs_te_l_pass && nm->pass;
	if (tel != scratch)
		free(tel);

	for (int c = 0; c < TE_NCLASSES; c++) {
		struct te_class_verdict *v = &out->verdict[c];
		const struct te_limits *l = &limits[c];
		if (!isnan(l->max_abs_te)) {
			v->max_abs_te_limit = l->max_abs_te;
			v->max_abs_te_pass = within(maxabs, l->max_abs_te);
		} else {
			/* class D: max|TE_L| after the 0.1 Hz low-pass */
			v->max_abs_te_limit = l->max_abs_te_l;
			v->max_abs_te_pass = within(maxabs_l, l->max_abs_te_l);
		}
		v->cte_limit = l->cte;
		v->cte_pass = within(out->cte, l->cte);
		v->dte_h_pp_limit = l->dte_h_pp;
		v->dte_h_pass = within(out->dte_h_pp, l->dte_h_pp);
		struct te_mask_check mc = out->dte_l_mtie;
		mask_fill(&mc, (enum te_class)c, true);
		v->dte_l_mtie_pass = mc.pass;
		mc = out->dte_l_tdev;
		mask_fill(&mc, (enum te_class)c, false);
		v->dte_l_tdev_pass = mc.pass;
		v->pass = v->max_abs_te_pass && v->cte_pass && v->dte_h_pass && v->dte_l_mtie_pass &&
			  v->dte_l_tdev_pass;
	}
	/* The report's mask structs carry class A's limits (the per-class masks are available
	 * from te_mtie_limit / te_tdev_limit). */
	mask_fill(&out->dte_l_mtie, TE_CLASS_A, true);
	mask_fill(&out->dte_l_tdev, TE_CLASS_A, false);

	if (truncated)
		out->notes = "run too short for G.8273.2's observation intervals up to 1000 s (after "
			     "10 s of filter settling): dTE_L MTIE checked only to the filtered run's "
			     "length, TDEV to a third of it";
	else
		out->notes = "class D: only max|TE_L| (0.1 Hz low-pass) has a limit (5 ns); other "
			     "class D limits are for further study";
	return 0;
}
#undef TE
