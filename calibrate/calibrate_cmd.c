/* ptpcal calibrate: a measured bias with its 95 % interval against a reference, turned into
 * one consistent set of config lines for ptp4l, ntpsec, ntpd and chrony, shown as diffs and
 * applied safely. Physics: correction.h; references: reference.h; statistics and refusals:
 * measure.h; emitters: emit.h; config edits: apply.h. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate/apply.h"
#include "calibrate/correction.h"
#include "calibrate/emit.h"
#include "calibrate/measure.h"
#include "calibrate/ptp4l_series.h"
#include "analyze/ptp4l_estimator_conf.h"
#include "analyze/refclock_model.h"
#include "calibrate/reference.h"
#include "common/cli.h"
#include "common/commands.h"
#include "common/dataset.h"
#include "common/json.h"
#include "common/log.h"

static const char usage[] =
	"usage: ptpcal calibrate [options] EXCHANGES|LAB-DATASET-DIR\n"
	"\n"
	"Measures the bias b of a PTP client's offset (slave - master) against a reference and\n"
	"emits the correction for ptp4l, ntpsec, ntpd and chrony. With master time T, client clock\n"
	"T + theta, delays d_ms (master->slave) and d_sm: t2 - t1 = d_ms + theta, t4 - t3 =\n"
	"d_sm - theta, so the PTP estimate is theta + (d_ms - d_sm)/2 and a servo that zeroes it\n"
	"leaves the client at theta = -(d_ms - d_sm)/2. Two-way exchanges cannot show this: a\n"
	"reference for theta is required, one of\n"
	"%s"
	"\n"
	"Reference:\n"
	"  -t, --truth FILE           truth dataset (t, offset_ns), interpolated at each Sync\n"
	"  -b, --baseline FILE|DIR    exchanges through a known-symmetric path (same clock;\n"
	"                             a lab directory: its first client)\n"
	"  -k, --known-offset NS±U    the client's true offset during the run, 95 %% uncertainty\n"
	"                             (units allowed: -85us±2us; also NS+-U or NS:U)\n"
	"  -c, --client NAME          which client of a lab dataset directory (default: the first)\n"
	"Correction:\n"
	"  -L, --layer ptp4l|refclock where to correct (default ptp4l; never both)\n"
	"      --as asymmetry|ingress|egress  ptp4l option for the bias (default asymmetry;\n"
	"                             ingress/egress when it is a NIC/PHY latency)\n"
	"      --ptp4l-conf FILE      read the current delayAsymmetry/latencies, edit with --apply\n"
	"      --ptp4l-section NAME   section of ptp4l.conf (default global)\n"
	"      --ntp-conf FILE        ntp.conf (ntpsec or classic ntpd): current time1, edit\n"
	"      --ntp-flavor auto|ntpsec|ntpd  (default auto: from the file)\n"
	"      --chrony-conf FILE     chrony.conf: current offset, edit\n"
	"  -u, --unit N               SHM unit/segment (default 2, as phc2sys -M 2); --refid ID (PTP)\n"
	"      --apply                write the edits (default: show the diff only)\n"
	"      --root DIR             config paths are below DIR (staging)\n"
	"Refusal limits (exit 1 with the reason; --force overrides all but the last two):\n"
	"      --min-duration DUR     default 10min\n"
	"      --servo FILE           servo dataset: refuse if the servo never locked or lost lock\n"
	"      --max-uncertainty NS   95 %% half-width limit (default: 25 %% of |b| or 1 us)\n"
	"      --max-relative-uncertainty F  default 0.25\n"
	"      --max-correction NS    sanity limit (default 1ms); a timescale mismatch also refuses\n"
	"      --force                calibrate despite short run, drift, halves, width, lock\n"
	"      --json                 ptpcal-calibrate/1 object on stdout\n"
	"Estimator (what the client's servo zeroes; both are measured, the other is shown):\n"
	"      --estimator ptp4l|mean ptp4l (default): replay ptp4l's delay filter and tsproc_mode\n"
	"                             on the exchanges, its settings from --ptp4l-conf's [global];\n"
	"                             mean: the mean two-way offset (a client that averages)\n"
	"      --tsproc-mode M, --delay-filter F, --delay-filter-length N  override the config\n"
	"  -q, --quiet / -v, --verbose / -h, --help\n"
	"\n"
	"Exit: 0 emitted, 1 refused, 2 bad usage or input.\n";

enum {
	OPT_AS = 1000, OPT_PTP4L, OPT_SECTION, OPT_NTP, OPT_FLAVOR, OPT_CHRONY, OPT_REFID,
	OPT_APPLY, OPT_ROOT, OPT_MINDUR, OPT_SERVO, OPT_MAXU, OPT_MAXREL, OPT_MAXCORR, OPT_FORCE,
	OPT_JSON, OPT_ESTIMATOR, OPT_TSPROC, OPT_DFILTER, OPT_DFLEN,
};

#define MAX_CHECKS 16

struct run {
	const char *input, *truth, *baseline, *known, *client, *section, *servo, *root;
	enum cal_layer layer;
	enum cal_knob knob;
	struct cal_refclock rc;
	struct cal_limits lim;
	bool apply, force, json;
	struct cal_conf confs[3];
	int nconfs;
	enum cal_estimator estimator;
	const char *est_opt[3]; /* --tsproc-mode, --delay-filter, --delay-filter-length */
};

/* Servo dataset: refuse when it never reached state 2 (locked) or left it afterwards
 * (ptp4l's s0/s1/s2, docs/dataset-format.md kind servo). */
static int check_servo(const char *path, char *why, size_t len)
{
	struct ds_reader *r = ds_open(path, "servo");
	if (!r)
		return EXIT_USAGE;
	int cs = ds_require_col(r, "state"), rc;
	if (cs < 0) {
		ds_reader_close(r);
		return EXIT_USAGE;
	}
	bool locked = false, lost = false;
	double lost_at = NAN;
	int ct = ds_col(r, "t_s");
	while ((rc = ds_next(r)) > 0) {
		double st, t = NAN;
		if (!ds_get_double(r, cs, &st))
			break;
		if (ct >= 0)
			ds_get_double(r, ct, &t);
		if (isnan(st))
			continue;
		if (st == 2)
			locked = true;
		else if (locked && !lost) {
			lost = true;
			lost_at = t;
		}
	}
	bool failed = rc < 0 || ds_failed(r);
	ds_reader_close(r);
	if (failed)
		return EXIT_USAGE;
	why[0] = 0;
	if (!locked)
		snprintf(why, len, "the servo never locked in %s (no state s2): the offsets are not "
			 "those of a settled client; measure after lock", path);
	else if (lost)
		snprintf(why, len, "the servo lost lock in %s (at t_s %.1f): re-measure a window "
			 "without a lock loss", path, lost_at);
	return 0;
}

static void describe_reference(const struct run *o, const struct cal_series *s, double known,
			       double known_u, char *out, size_t len)
{
	if (o->baseline)
		snprintf(out, len, "baseline: %s measured through a known-symmetric path (b = "
			 "mean offset under test - mean offset of the baseline)", o->baseline);
	else if (o->truth)
		snprintf(out, len, "truth: %s", o->truth);
	else if (o->known)
		snprintf(out, len, "known offset: %.1f ns +- %.1f ns (95 %%), stated", known, known_u);
	else
		snprintf(out, len, "lab truth: truth_offset_ns %.0f (%s)", s->truth_offset_ns,
			 s->truth_source[0] ? s->truth_source : "metadata");
}

static void json_emit(struct json *j, const struct cal_emit *e)
{
	json_obj_begin(j, NULL);
	json_str(j, "target", e->target);
	json_arr_begin(j, "lines");
	for (int i = 0; i < e->nlines; i++)
		json_str(j, NULL, e->lines[i]);
	json_arr_end(j);
	json_str(j, "note", e->note);
	json_obj_end(j);
}

static int parse_args(int argc, char **argv, struct run *o)
{
	static const struct option opts[] = {
		{ "truth", required_argument, NULL, 't' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "known-offset", required_argument, NULL, 'k' },
		{ "client", required_argument, NULL, 'c' },
		{ "layer", required_argument, NULL, 'L' },
		{ "as", required_argument, NULL, OPT_AS },
		{ "ptp4l-conf", required_argument, NULL, OPT_PTP4L },
		{ "ptp4l-section", required_argument, NULL, OPT_SECTION },
		{ "ntp-conf", required_argument, NULL, OPT_NTP },
		{ "ntp-flavor", required_argument, NULL, OPT_FLAVOR },
		{ "chrony-conf", required_argument, NULL, OPT_CHRONY },
		{ "unit", required_argument, NULL, 'u' },
		{ "refid", required_argument, NULL, OPT_REFID },
		{ "apply", no_argument, NULL, OPT_APPLY },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "min-duration", required_argument, NULL, OPT_MINDUR },
		{ "servo", required_argument, NULL, OPT_SERVO },
		{ "max-uncertainty", required_argument, NULL, OPT_MAXU },
		{ "max-relative-uncertainty", required_argument, NULL, OPT_MAXREL },
		{ "max-correction", required_argument, NULL, OPT_MAXCORR },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "estimator", required_argument, NULL, OPT_ESTIMATOR },
		{ "tsproc-mode", required_argument, NULL, OPT_TSPROC },
		{ "delay-filter", required_argument, NULL, OPT_DFILTER },
		{ "delay-filter-length", required_argument, NULL, OPT_DFLEN },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *flavor = "auto";
	int c;
	long l;
	double d;
	int64_t ns;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "t:b:k:c:L:u:qvh", opts, NULL)) != -1) {
		switch (c) {
		case 't': o->truth = optarg; break;
		case 'b': o->baseline = optarg; break;
		case 'k': o->known = optarg; break;
		case 'c': o->client = optarg; break;
		case 'L':
			if (!strcmp(optarg, "ptp4l"))
				o->layer = CAL_LAYER_PTP4L;
			else if (!strcmp(optarg, "refclock"))
				o->layer = CAL_LAYER_REFCLOCK;
			else
				return usage_error("--layer %s: expected ptp4l or refclock", optarg);
			break;
		case OPT_AS:
			if (!strcmp(optarg, "asymmetry"))
				o->knob = CAL_KNOB_ASYMMETRY;
			else if (!strcmp(optarg, "ingress"))
				o->knob = CAL_KNOB_INGRESS;
			else if (!strcmp(optarg, "egress"))
				o->knob = CAL_KNOB_EGRESS;
			else
				return usage_error("--as %s: expected asymmetry, ingress or egress", optarg);
			break;
		case OPT_PTP4L: case OPT_NTP: case OPT_CHRONY:
			if (o->nconfs == 3)
				return usage_error("one --ptp4l-conf, --ntp-conf and --chrony-conf each");
			for (int i = 0; i < o->nconfs; i++)
				if ((o->confs[i].kind == CAL_CONF_PTP4L) == (c == OPT_PTP4L) &&
				    (o->confs[i].kind == CAL_CONF_CHRONY) == (c == OPT_CHRONY))
					return usage_error("%s given twice", argv[optind - 2]);
			o->confs[o->nconfs].given = optarg;
			o->confs[o->nconfs].kind = c == OPT_PTP4L ? CAL_CONF_PTP4L :
						   c == OPT_CHRONY ? CAL_CONF_CHRONY : CAL_CONF_NTPSEC;
			o->nconfs++;
			break;
		case OPT_SECTION: o->section = optarg; break;
		case OPT_FLAVOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "ntpsec") && strcmp(optarg, "ntpd"))
				return usage_error("--ntp-flavor %s: expected auto, ntpsec or ntpd", optarg);
			flavor = optarg;
			break;
		case 'u':
			if (!parse_int_arg("--unit", optarg, 0, 255, &l))
				return EXIT_USAGE;
			o->rc.unit = (int)l;
			break;
		case OPT_REFID:
			if (!*optarg || strlen(optarg) > 4 || strpbrk(optarg, " \t#"))
				return usage_error("--refid %s: expected 1 to 4 characters", optarg);
			snprintf(o->rc.refid, sizeof(o->rc.refid), "%s", optarg);
			break;
		case OPT_APPLY: o->apply = true; break;
		case OPT_ROOT: o->root = optarg; break;
		case OPT_MINDUR:
			if (!parse_duration(optarg, &ns))
				return usage_error("--min-duration %s: expected a duration (10min, 90s)", optarg);
			o->lim.min_duration_s = (double)ns * 1e-9;
			break;
		case OPT_SERVO: o->servo = optarg; break;
		case OPT_MAXU:
			if (!parse_time_value(optarg, 1.0, &d) || !(d > 0))
				return usage_error("--max-uncertainty %s: expected a positive time (500ns, 2us)", optarg);
			o->lim.max_halfwidth_ns = d;
			break;
		case OPT_MAXREL:
			if (!parse_double_arg("--max-relative-uncertainty", optarg, &d))
				return EXIT_USAGE;
			if (!(d > 0))
				return usage_error("--max-relative-uncertainty %s: expected a positive fraction", optarg);
			o->lim.max_rel_halfwidth = d;
			break;
		case OPT_MAXCORR:
			if (!parse_time_value(optarg, 1.0, &d) || !(d > 0))
				return usage_error("--max-correction %s: expected a positive time (1ms)", optarg);
			o->lim.max_correction_ns = d;
			break;
		case OPT_FORCE: o->force = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_ESTIMATOR:
			if (!strcmp(optarg, "ptp4l"))
				o->estimator = CAL_EST_PTP4L;
			else if (!strcmp(optarg, "mean"))
				o->estimator = CAL_EST_MEAN;
			else
				return usage_error("--estimator %s: expected ptp4l or mean", optarg);
			break;
		case OPT_TSPROC: o->est_opt[0] = optarg; break;
		case OPT_DFILTER: o->est_opt[1] = optarg; break;
		case OPT_DFLEN: o->est_opt[2] = optarg; break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': printf(usage, cal_reference_help); exit(EXIT_OK);
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind + 1 != argc)
		return usage_error(optind == argc ? "no exchanges file or lab dataset" :
				   "one exchanges file or lab dataset");
	o->input = argv[optind];
	if (o->truth && o->baseline)
		return usage_error("--truth and --baseline are two references: give one");
	if (o->layer == CAL_LAYER_REFCLOCK && o->knob != CAL_KNOB_ASYMMETRY)
		return usage_error("--as ingress/egress is a ptp4l option: it needs --layer ptp4l");
	if (o->apply && !o->nconfs)
		return usage_error("--apply needs --ptp4l-conf, --ntp-conf or --chrony-conf");
	for (int i = 0; i < o->nconfs; i++) {
		int rc = cal_conf_load(&o->confs[i], o->root);
		if (rc)
			return rc;
		if (o->confs[i].kind == CAL_CONF_NTPSEC)
			o->confs[i].kind = !strcmp(flavor, "ntpd") ? CAL_CONF_NTPD :
					   !strcmp(flavor, "ntpsec") ? CAL_CONF_NTPSEC :
					   cal_ntp_flavor(&o->confs[i].cf);
	}
	return 0;
}

static void print_refusal(const struct run *o, const char *reason, bool no_reference)
{
	if (o->json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "schema", "ptpcal-calibrate/1");
		json_bool(&j, "refused", true);
		json_str(&j, "reason", reason);
		json_str(&j, "reference", "none");
		json_null(&j, "bias_ns");
		json_null(&j, "ci_lo_ns");
		json_null(&j, "ci_hi_ns");
		json_null(&j, "correction_ns");
		json_str(&j, "layer", cal_layer_name(o->layer));
		json_arr_begin(&j, "emit");
		json_arr_end(&j);
		json_obj_end(&j);
		json_finish(&j);
	}
	fprintf(o->json ? stderr : stdout, "REFUSED: %s\n%s", reason,
		no_reference ? "references that would work:\n" : "");
	if (no_reference)
		fputs(cal_reference_help, o->json ? stderr : stdout);
}

/* The reference: each sample of s becomes theta^_i - theta_i. Exit code; 0 with *no_ref when
 * there is none, and a refusal in refusal[] for a timescale clash. */
static int apply_reference(const struct run *o, struct cal_series *s, double known,
			   double known_u, bool *no_ref, char *refusal, size_t rlen, double *ref_u95)
{
	*no_ref = false;
	*ref_u95 = 0;
	bool timescale_clash = false;
	int status = 0;
	if (o->truth) {
		char why[300];
		if ((status = cal_series_subtract_truth(s, o->truth, &timescale_clash, why, sizeof(why))))
			return status;
		if (timescale_clash)
			snprintf(refusal, rlen, "the reference's timescale differs: %s "
				 "(a 37 s or UTC/TAI error, not an asymmetry)", why);
	} else if (o->known) {
		cal_series_subtract_const(s, known);
		*ref_u95 = known_u;
	} else if (o->baseline) {
		/* b = mean(test) - mean(baseline): theta cancels (same clock in both runs). */
	} else if (s->has_truth_meta) {
		cal_series_subtract_const(s, s->truth_offset_ns);
	} else {
		*no_ref = true;
	}
	return 0;
}

int cmd_calibrate(int argc, char **argv)
{
	struct run o = { 0 };
	o.section = "global";
	o.rc.unit = 2;
	snprintf(o.rc.refid, sizeof(o.rc.refid), "PTP");
	o.lim.min_duration_s = 600;
	o.lim.max_rel_halfwidth = 0.25;
	o.lim.max_correction_ns = 1e6;
	int status = parse_args(argc, argv, &o);
	struct cal_series test = { 0 }, base = { 0 }, test_alt = { 0 }, base_alt = { 0 };
	bool have_base = false, have_alt = false;
	double known = 0, known_u = 0;
	if (status)
		goto out;
	if (o.known && !cal_parse_known_offset(o.known, &known, &known_u)) {
		status = usage_error("--known-offset %s: expected NS or NS±U (e.g. -85000±2000, "
				     "-85us+-2us)", o.known);
		goto out;
	}
	if ((status = cal_series_load(&test, o.input, o.client)))
		goto out;
	if (o.baseline) {
		if ((status = cal_series_load(&base, o.baseline, NULL)))
			goto out;
		have_base = true;
	}

	/* The estimator: what the client's servo zeroes. ptp4l's own (default): the per-Sync
	 * offsets of its delay filter and tsproc_mode, read from the --ptp4l-conf in use
	 * (calibrate/ptp4l_series.h); mean: the mean two-way offset of the exchanges. Both are
	 * measured; the other one is reported for comparison. */
	struct ptp4l_estimator_cfg ecfg;
	const char *p4conf = NULL;
	for (int i = 0; i < o.nconfs; i++)
		if (o.confs[i].kind == CAL_CONF_PTP4L)
			p4conf = o.confs[i].path;
	if ((status = ptp4l_estimator_cfg_load(&ecfg, p4conf, o.est_opt[0], o.est_opt[1],
					       o.est_opt[2])))
		goto out;
	cal_series_copy(&test_alt, &test);
	have_alt = true;
	if (have_base)
		cal_series_copy(&base_alt, &base);
	bool p4_chosen = o.estimator == CAL_EST_PTP4L;
	if ((status = cal_series_to_ptp4l(p4_chosen ? &test : &test_alt, &ecfg)))
		goto out;
	if (have_base && (status = cal_series_to_ptp4l(p4_chosen ? &base : &base_alt, &ecfg)))
		goto out;

	char refusal[2000] = "";
	double ref_u95 = 0;
	bool no_ref = false;
	if ((status = apply_reference(&o, &test, known, known_u, &no_ref, refusal,
				      sizeof(refusal), &ref_u95)))
		goto out;
	if (no_ref) {
		print_refusal(&o, "no reference for the client's true offset: two-way exchanges "
			      "cannot show a path asymmetry (the bias is invisible to PTP itself, "
			      "and to ntpq for the PTP refclock)", true);
		status = EXIT_FAILED;
		goto out;
	}
	if (refusal[0]) {
		print_refusal(&o, refusal, false);
		status = EXIT_FAILED;
		goto out;
	}
	{
		char r2[2000] = "";
		double u2;
		bool nr2;
		if ((status = apply_reference(&o, &test_alt, known, known_u, &nr2, r2, sizeof(r2),
					      &u2)))
			goto out;
	}

	struct cal_measurement m, m_alt;
	if ((status = cal_measure(&test, have_base ? &base : NULL, ref_u95, &m)))
		goto out;
	if ((status = cal_measure(&test_alt, have_base ? &base_alt : NULL, ref_u95, &m_alt)))
		goto out;
	/* ptp4l's bias minus the mean's, whichever was chosen */
	double p4_minus_mean = p4_chosen ? m.bias_ns - m_alt.bias_ns : m_alt.bias_ns - m.bias_ns;
	char ecfg_str[200];
	ptp4l_estimator_cfg_str(&ecfg, ecfg_str, sizeof(ecfg_str));
	/* The refclock layer (analyze/refclock_model.h): ntpd's SHM filter over one-second
	 * samples of the PHC that ptp4l's PI servo steers with these per-Sync offsets. Reported,
	 * not applied: the model is not yet checked against a real phc2sys/ntpd chain (the lab
	 * has no PHC, docs/errata.md item 25). */
	struct refclock_model rcm;
	bool have_rcm = false;
	{
		const struct cal_series *p4 = p4_chosen ? &test : &test_alt;
		double kp, ki, interval = p4->n > 1 ? p4->duration_s / (double)(p4->n - 1) : 1;
		/* Syncs missing from the exchanges widen the mean spacing: take the smallest */
		for (size_t i = 1; i < p4->n; i++)
			if (p4->t_s[i] - p4->t_s[i - 1] > 0 && p4->t_s[i] - p4->t_s[i - 1] < interval)
				interval = p4->t_s[i] - p4->t_s[i - 1];
		interval = pow(2, round(log2(interval)));
		pi_servo_constants(interval, ecfg.sw_timestamping, &kp, &ki);
		have_rcm = refclock_model_run(p4->t_s, p4->v, p4->w, p4->n, kp, ki, 1.0, 64.0,
					      &rcm) == 0;
	}

	/* The current corrections: what the client sent during the run (exchanges) and what
	 * the config files hold. */
	struct cal_current cur = { 0 }, conf_cur = { 0 };
	bool have_ptp4l_conf = false;
	for (int i = 0; i < o.nconfs; i++) {
		if ((status = cal_conf_read_current(&o.confs[i], o.section, o.rc.unit, &conf_cur)))
			goto out;
		have_ptp4l_conf |= o.confs[i].kind == CAL_CONF_PTP4L;
	}
	cur = conf_cur;
	/* The bias is relative to the delayAsymmetry in effect DURING the run, which the client
	 * itself reports in every Delay_Req (linuxptp port.c: correction = -delayAsymmetry):
	 * the new total is built on that, not on a config edited since (which would add the
	 * same bias twice, and make re-applying the same measurement non-idempotent). */
	const char *asym_from = have_ptp4l_conf ? "ptp4l.conf" : "default";
	if (isfinite(test.asym_ns)) {
		if (have_ptp4l_conf && fabs(test.asym_ns - conf_cur.asymmetry_ns) > 0.5)
			log_warn("%s: the client sent delayAsymmetry %.0f during the run, the config "
				 "now says %.0f: the new total is built on what was in effect during "
				 "the run", test.path, test.asym_ns, conf_cur.asymmetry_ns);
		cur.asymmetry_ns = test.asym_ns;
		asym_from = "the run's Delay_Req corrections";
	} else {
		log_warn("%s: the client's delayAsymmetry changed during the run; using the "
			 "config's %.0f", test.path, conf_cur.asymmetry_ns);
	}

	struct cal_correction corr;
	cal_correct(m.bias_ns, &cur, o.layer, o.knob, &corr);

	struct cal_check checks[MAX_CHECKS];
	int nchecks = cal_check(&m, &test, have_base ? &base : NULL, &o.lim, corr.correction_ns,
				checks, MAX_CHECKS);
	char servo_why[400] = "";
	if (o.servo) {
		if ((status = check_servo(o.servo, servo_why, sizeof(servo_why))))
			goto out;
		if (servo_why[0] && nchecks < MAX_CHECKS) {
			snprintf(checks[nchecks].text, sizeof(checks[0].text), "%s", servo_why);
			checks[nchecks++].forceable = true;
		}
	}
	bool refused = false, forced = false;
	for (int i = 0; i < nchecks; i++) {
		if (!checks[i].forceable || !o.force)
			refused = true;
		else
			forced = true;
	}
	char reason[MAX_CHECKS * 610] = "";
	for (int i = 0; i < nchecks; i++) {
		size_t l = strlen(reason);
		snprintf(reason + l, sizeof(reason) - l, "%s%s", l ? "; " : "", checks[i].text);
	}

	struct cal_emit emits[4];
	int nemit = 0;
	const struct conf_file *ntpcf = NULL, *chronycf = NULL, *ptpcf = NULL;
	bool classic = false;
	for (int i = 0; i < o.nconfs; i++) {
		if (o.confs[i].kind == CAL_CONF_PTP4L)
			ptpcf = &o.confs[i].cf;
		else if (o.confs[i].kind == CAL_CONF_CHRONY)
			chronycf = &o.confs[i].cf;
		else {
			ntpcf = &o.confs[i].cf;
			classic = o.confs[i].kind == CAL_CONF_NTPD;
		}
	}
	(void)ptpcf;
	if (!refused) {
		emit_ptp4l(&corr, &cur, o.section, &emits[nemit++]);
		emit_ntpsec(&corr, &o.rc, classic ? NULL : ntpcf, &emits[nemit++]);
		emit_ntpd(&corr, &o.rc, classic ? ntpcf : NULL, &emits[nemit++]);
		emit_chrony(&corr, &o.rc, chronycf, &emits[nemit++]);
	}

	char refdesc[700];
	describe_reference(&o, &test, known, known_u, refdesc, sizeof(refdesc));
	FILE *txt = o.json ? stderr : stdout;
	bool quiet = log_verbosity() < 0;
	char b1[40], b2[40], b3[40];
	if (!o.json && !quiet) {
		printf("calibrate: %s\n", test.path);
		printf("reference: %s\n", refdesc);
		if (have_base)
			printf("baseline:  %zu exchanges over %s, mean %.1f ns [%.1f, %.1f]\n", base.n,
			       fmt_duration(base.duration_s * 1e9, b1, sizeof(b1)), m.base.mean,
			       m.base.ci_lo, m.base.ci_hi);
		printf("measured:  %zu exchanges over %s (n_eff %.0f, %s)\n", test.n,
		       fmt_duration(test.duration_s * 1e9, b1, sizeof(b1)), m.test.n_eff,
		       m.test.method);
		printf("estimator: %s (%s)\n", cal_estimator_name(o.estimator), p4_chosen ?
		       "the offsets ptp4l computes per Sync, which its servo zeroes" :
		       "the mean two-way offset of the exchanges");
		printf("           ptp4l's: %s, from %s\n", ecfg_str, ecfg.source);
		printf("bias b:    %+.1f ns, 95 %% interval [%+.1f, %+.1f] (+- %.1f ns%s)\n",
		       m.bias_ns, m.ci_lo_ns, m.ci_hi_ns, m.halfwidth_ns,
		       m.ref_u95_ns > 0 ? ", the reference's own uncertainty included" : "");
		printf("           with the %s estimator: %+.1f ns [%+.1f, %+.1f]; ptp4l minus mean "
		       "%+.1f ns\n", cal_estimator_name(p4_chosen ? CAL_EST_MEAN : CAL_EST_PTP4L),
		       m_alt.bias_ns, m_alt.ci_lo_ns, m_alt.ci_hi_ns, p4_minus_mean);
		if (have_rcm)
			printf("refclock:  modelled, ntpd's SHM filter (60 %% trimmed mean of 1 s "
			       "phc2sys samples per 64 s poll) would see the PHC %+.1f ns from its "
			       "mean under ptp4l's PI servo (kp %.3g, ki %.3g, %s timestamps): "
			       "a refclock fudge is off by that much (not applied)\n", rcm.shift_ns,
			       rcm.kp, rcm.ki, ecfg.sw_timestamping ? "software" : "hardware");
		printf("drift:     %+.1f ns/h [%+.1f, %+.1f] (%s); halves %.1f and %.1f ns (%s)\n",
		       m.test.drift_per_h, m.test.drift_ci_lo, m.test.drift_ci_hi,
		       m.test.drift_significant ? "significant" : "not significant",
		       m.test.half_mean[0], m.test.half_mean[1],
		       m.test.halves_agree ? "agree" : "DISAGREE");
		if (o.servo)
			printf("servo:     %s\n", servo_why[0] ? servo_why : "locked throughout");
		else if (test.free_running)
			printf("servo:     free-running lab client: no lock to check (the truth is the "
			       "one host clock)\n");
		printf("physics:   offset = theta + (d_ms - d_sm)/2 - A (slave - master); a servo "
		       "zeroing it leaves the clock at theta = -b = %s,\n"
		       "           i.e. (d_ms - d_sm)/2 - A = %s with the current delayAsymmetry A = "
		       "%.0f ns (from %s)\n",
		       fmt_si_time(-m.bias_ns, b1, sizeof(b1)), fmt_si_time(m.bias_ns, b2, sizeof(b2)),
		       cur.asymmetry_ns, asym_from);
		if (cur.have_fudge)
			printf("current:   refclock fudge %.9f s in the config (replaced: the bias was "
			       "measured at the PTP layer, which a fudge does not change)\n", cur.fudge_s);
		printf("correction (%s layer): %s %s\n", cal_layer_name(corr.layer),
		       corr.layer == CAL_LAYER_PTP4L ? cal_knob_option(corr.knob) : "fudge",
		       corr.layer == CAL_LAYER_PTP4L ?
		       (snprintf(b3, sizeof(b3), "%.0f ns", corr.correction_ns), b3) :
		       (snprintf(b3, sizeof(b3), "%.9f s", corr.fudge_s), b3));
	}
	if (nchecks && !quiet) {
		for (int i = 0; i < nchecks; i++)
			fprintf(txt, "%s: %s\n", refused && (!checks[i].forceable || !o.force) ?
				"REFUSED" : "FORCED (would refuse)", checks[i].text);
	}
	if (!refused && !o.json && !quiet) {
		printf("\nemit:\n");
		for (int i = 0; i < nemit; i++) {
			printf("  %s:\n", emits[i].target);
			for (int k = 0; k < emits[i].nlines; k++)
				printf("    %s\n", emits[i].lines[k]);
			printf("    (%s)\n", emits[i].note);
		}
		printf("\nvs the guide: it advises 'refclock shm unit 2 refid PTP time2 0.000180' with "
		       "\"half the observed bias\".\n"
		       "  - time2 is not an offset for the SHM driver (its maximum allowed difference; "
		       "values under 1 s are ignored);\n"
		       "    the offset fudge is time1 (ntpsec/ntpd) or offset (chrony).\n"
		       "  - b was measured against a reference for the client's true offset, so all of "
		       "it is corrected (%s),\n"
		       "    not half. Halve only a measured difference of the one-way delays: "
		       "d_ms - d_sm = 2(b + A) = %s here, half of it is b.\n"
		       "  - preferred: correct it once, in ptp4l (delayAsymmetry); the refclock then "
		       "gets no fudge.\n",
		       fmt_si_time(m.bias_ns, b1, sizeof(b1)),
		       fmt_si_time(2 * (m.bias_ns + cur.asymmetry_ns), b2, sizeof(b2)));
		if (o.nconfs)
			printf("\nconfig changes%s:\n", o.apply ? "" : " (not written: add --apply)");
	}
	if (o.json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "schema", "ptpcal-calibrate/1");
		json_bool(&j, "refused", refused);
		json_str(&j, "reason", nchecks ? reason : NULL);
		json_str(&j, "reference", refdesc);
		json_num(&j, "bias_ns", m.bias_ns);
		json_num(&j, "ci_lo_ns", m.ci_lo_ns);
		json_num(&j, "ci_hi_ns", m.ci_hi_ns);
		json_num(&j, "correction_ns", corr.correction_ns);
		json_str(&j, "layer", cal_layer_name(corr.layer));
		json_arr_begin(&j, "emit");
		for (int i = 0; i < nemit; i++)
			json_emit(&j, &emits[i]);
		json_arr_end(&j);
		/* Beyond the contract (added, none changed): */
		json_bool(&j, "forced", forced && !refused);
		json_str(&j, "estimator", cal_estimator_name(o.estimator));
		json_obj_begin(&j, "ptp4l_estimator");
		ptp4l_estimator_cfg_json(&j, &ecfg);
		json_obj_end(&j);
		json_obj_begin(&j, "other_estimator");
		json_str(&j, "estimator", cal_estimator_name(p4_chosen ? CAL_EST_MEAN : CAL_EST_PTP4L));
		json_num(&j, "bias_ns", m_alt.bias_ns);
		json_num(&j, "ci_lo_ns", m_alt.ci_lo_ns);
		json_num(&j, "ci_hi_ns", m_alt.ci_hi_ns);
		json_obj_end(&j);
		json_num(&j, "ptp4l_minus_mean_ns", p4_minus_mean);
		if (have_rcm) {
			json_obj_begin(&j, "refclock_model");
			json_num(&j, "shift_ns", rcm.shift_ns);
			json_num(&j, "phc_mean_ns", rcm.phc_mean_ns);
			json_num(&j, "ntpd_mean_ns", rcm.ntpd_mean_ns);
			json_num(&j, "kp", rcm.kp);
			json_num(&j, "ki", rcm.ki);
			json_int(&j, "polls", (int64_t)rcm.polls);
			json_obj_end(&j);
		} else {
			json_null(&j, "refclock_model");
		}
		json_int(&j, "samples", (int64_t)test.n);
		json_num(&j, "duration_s", test.duration_s);
		json_num(&j, "n_eff", m.test.n_eff);
		json_str(&j, "method", m.test.method);
		json_num(&j, "reference_u95_ns", m.ref_u95_ns);
		json_num(&j, "drift_ns_per_h", m.test.drift_per_h);
		json_bool(&j, "drift_significant", m.test.drift_significant);
		json_bool(&j, "halves_agree", m.test.halves_agree);
		json_bool(&j, "short_run", m.test.short_run);
		if (have_base) {
			json_obj_begin(&j, "baseline");
			json_str(&j, "path", base.path);
			json_int(&j, "samples", (int64_t)base.n);
			json_num(&j, "mean_ns", m.base.mean);
			json_num(&j, "ci_lo_ns", m.base.ci_lo);
			json_num(&j, "ci_hi_ns", m.base.ci_hi);
			json_obj_end(&j);
		}
		json_obj_begin(&j, "current");
		json_num(&j, "delayAsymmetry_ns", cur.asymmetry_ns);
		json_num(&j, "ingressLatency_ns", cur.ingress_ns);
		json_num(&j, "egressLatency_ns", cur.egress_ns);
		if (cur.have_fudge)
			json_num(&j, "fudge_s", cur.fudge_s);
		else
			json_null(&j, "fudge_s");
		json_obj_end(&j);
		json_obj_begin(&j, "new");
		json_str(&j, "ptp4l_option", corr.layer == CAL_LAYER_PTP4L ? cal_knob_option(corr.knob) : NULL);
		json_int(&j, "delayAsymmetry_ns", corr.asymmetry_ns);
		json_int(&j, "ingressLatency_ns", corr.ingress_ns);
		json_int(&j, "egressLatency_ns", corr.egress_ns);
		json_num(&j, "fudge_s", corr.fudge_s);
		json_obj_end(&j);
		json_obj_end(&j);
		json_finish(&j);
	}
	/* Config files: diffs always (unless refused), writes only with --apply. */
	if (!refused) {
		for (int i = 0; i < o.nconfs; i++) {
			bool changed;
			int r = cal_conf_apply(&o.confs[i], &corr, &cur, o.section, &o.rc, o.apply,
					       quiet ? NULL : txt, &changed);
			if (r)
				status = r;
		}
		if (!quiet && o.nconfs)
			fprintf(txt, "%s", o.apply ?
				"reload: restart ptp4l / ntpsec (or 'chronyc reload sources' for chrony) "
				"yourself; ptpcal never restarts a daemon\n" : "");
	} else if (o.apply && !quiet) {
		fprintf(txt, "nothing written: the calibration was refused\n");
	}
	if (!status && refused)
		status = EXIT_FAILED;
out:
	cal_series_free(&test);
	if (have_base)
		cal_series_free(&base);
	if (have_alt) {
		cal_series_free(&test_alt);
		if (have_base)
			cal_series_free(&base_alt);
	}
	for (int i = 0; i < o.nconfs; i++)
		cal_conf_free(&o.confs[i]);
	return status;
}
