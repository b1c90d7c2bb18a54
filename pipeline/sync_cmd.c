/* ptpcal sync --lab: the whole chain in the lab, in order: measure the client's time error
 * through an asymmetric path (lab run), calibrate it against the lab's truth, measure again
 * with the correction applied, and say where the time error stands before and after.
 * Each stage is one of ptpcal's own commands run as a child (this binary, /proc/self/exe). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/commands.h"
#include "common/json.h"
#include "common/json_read.h"
#include "common/log.h"
#include "lab/delay_model.h"
#include "pipeline/run_cmd.h"
#include "pipeline/sync_host.h"
#include "pipeline/sync_lab.h"
#include <limits.h>

extern char **environ;

static const char usage[] =
	"usage: ptpcal sync --lab [options]\n"
	"       ptpcal sync --server|--client [-i IF] [--apply] [options]\n"
	"\n"
	"Run the measure -> calibrate -> apply -> measure-again chain end to end in the PTP lab\n"
	"(ptpcal lab: real ptp4l, free_running, in namespaces; needs root) and print where the\n"
	"client's time error stands before and after the correction:\n"
	"  1. lab up through a path with --fwd/--rev delays (the asymmetry to find); the client\n"
	"     chain: phc2sys SKIP (no PHC in the lab), the client's PTP offset (TIME_STATUS_NP)\n"
	"     fed into NTP SHM as phc2sys -E ntpshm would, a real ntpd (ntpsec) in the client's\n"
	"     namespace on that refclock (disable ntp/kernel, no CAP_SYS_TIME), waited for as\n"
	"     system peer; measure; lab down\n"
	"  2. calibrate against the lab's truth: bias with its 95 % interval -> delayAsymmetry\n"
	"     (--layer ptp4l) or the refclock's time1 (--layer refclock)\n"
	"  3. the same with that correction in every ptp4l.conf (or as ntpd's time1), then\n"
	"     ptpcal verify client and server in the lab's namespaces (PASS/FAIL/SKIP)\n"
	"  4. calibrate again: the residual time error; ntpd's refclock offset before/after\n"
	"\n"
	"      --lab               the lab chain\n"
	"  -d, --duration D        each measurement (default 20s; hosts: the capture, 10min)\n"
	"      --fwd SPEC          switch delay master -> client (default 300us)\n"
	"      --rev SPEC          switch delay client -> master (default 100us)\n"
	"  -t, --transport T       L2 (default), UDPv4, UDPv6\n"
	"  -o, --dir DIR           where the two lab datasets go (default ./sync-PID)\n"
	"      --no-ntpsec         lab: leave out the ntpd stage\n"
	"      --no-gnss           lab: leave out gpsd/gpsfake and the watchdog at the GM\n"
	"      --nmea FILE         lab: gpsfake's input (default tests/data/gnss-fix-loss.nmea)\n"
	"      --json              summary as JSON (schema ptpcal-sync/1; host plan:\n"
	"                          ptpcal-sync-plan/1)\n"
	"  -h, --help              this help\n"
	"\n"
	"On a real host (--server: gpsd -> ntpsec -> ptp4l@IF -> phc2sys@IF; --client:\n"
	"ptp4l@IF -> ntpsec -> phc2sys@IF -> ntpsec's peer), the chain is brought up through\n"
	"systemd in that order, each stage waited for (PORT_DATA_SET portState, SHM ticking,\n"
	"ntpq system peer), then (client) capture -> analyze -> calibrate -> verify.\n"
	"Without --apply nothing is run: the plan and its commands are printed (exit 0).\n"
	"  -i, --iface IF          the PTP interface (default eth0)\n"
	"      --apply             run systemctl (restart the units) and the rest\n"
	"      --dry-run           print the plan only (the default without --apply)\n"
	"      --root DIR          read unit files and ptp4l.conf below DIR (staging)\n"
	"      --linuxptp-version V  instead of `ptp4l -v`\n"
	"  -s, --uds PATH          ptp4l's management socket (default: from ptp4l.conf)\n"
	"      --shm-unit N        SHM unit (default 2)\n"
	"      --stage-timeout D   wait at most D for each stage (default 5min; lab 60s)\n"
	"      --truth FILE | --known-offset NS+-U | --baseline FILE\n"
	"                          the reference calibrate needs (else it is refused)\n"
	"  -L, --layer ptp4l|refclock  where the correction goes (default ptp4l)\n"
	"      --apply-correction  calibrate --apply, restart that daemon, measure again\n"
	"      --force             passed to calibrate (short runs)\n"
	"\n"
	"The verdict uses the lucky-packet means (the half of the exchanges with the smallest\n"
	"path delays, ptpcal analyze --lucky 50): a few delay spikes on a loaded host move a\n"
	"short run's plain mean far more than the residual asymmetry.\n"
	"Exit: 0 the correction cut the bias to below a quarter (hosts: every stage up and\n"
	"verify passed), 1 it did not or a stage failed, 2 bad usage, 130 interrupted (the lab\n"
	"cleans up; datasets are kept).\n";

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1; /* the child (lab run) gets the same Ctrl-C and cleans up itself */
}

struct stage {
	double bias, lo, hi;
	long long correction; /* ptp4l delayAsymmetry */
	double time1;         /* ntpsec refclock time1 (layer refclock), s */
	bool ok;
};

/* calibrate DIR --force --json -> bias, interval and the delayAsymmetry it emits. */
static bool calibrate(const char *dir, const char *layer, struct stage *s)
{
	const char *argv[] = { "/proc/self/exe", "calibrate", dir, "--force", "--layer", layer,
			       "--json", "-q", NULL };
	char *out = NULL;
	int st = run_capture(argv, &out, 120000);
	if (st < 0 || !out) {
		log_err("%s: calibrate did not run", dir);
		free(out);
		return false;
	}
	/* --json output is on stdout; run_capture merges stderr: take from the first '{' */
	char *brace = strchr(out, '{');
	char err[256];
	struct jr_value *v = brace ? jr_parse(brace, strlen(brace), err, sizeof(err)) : NULL;
	if (!v) {
		log_err("%s: calibrate gave no JSON (exit %d): %.200s", dir, st, out);
		free(out);
		return false;
	}
	s->bias = jr_num(jr_get(v, "bias_ns"));
	s->lo = jr_num(jr_get(v, "ci_lo_ns"));
	s->hi = jr_num(jr_get(v, "ci_hi_ns"));
	s->correction = 0;
	s->time1 = 0;
	bool refclock = strcmp(layer, "refclock") == 0, found = false;
	const struct jr_value *emit = jr_get(v, "emit");
	for (size_t i = 0; i < jr_len(emit); i++) {
		const struct jr_value *e = jr_at(emit, i);
		const char *target = jr_str(jr_get(e, "target"));
		if (!target || strcmp(target, refclock ? "ntpsec" : "ptp4l") != 0)
			continue;
		const struct jr_value *lines = jr_get(e, "lines");
		for (size_t k = 0; k < jr_len(lines); k++) {
			const char *l = jr_str(jr_at(lines, k));
			const char *t1 = l ? strstr(l, " time1 ") : NULL;
			if (!refclock && l && sscanf(l, "delayAsymmetry %lld", &s->correction) == 1)
				found = true;
			if (refclock && t1 && sscanf(t1, " time1 %lf", &s->time1) == 1)
				found = true;
		}
	}
	jr_free(v);
	free(out);
	s->ok = isfinite(s->bias) && isfinite(s->lo) && isfinite(s->hi) && found;
	if (!s->ok)
		log_err("%s: calibrate's JSON lacks the bias or the %s line", dir,
			refclock ? "ntpsec time1" : "delayAsymmetry");
	return s->ok;
}

/* analyze DIR/cl1/exchanges.tsv --lucky 50 --json -> the bias of the half of the exchanges
 * with the smallest path delays (robust to the delay spikes of a loaded host). */
static bool lucky_bias(const char *dir, double *bias)
{
	char ex[1100];
	snprintf(ex, sizeof(ex), "%s/cl1/exchanges.tsv", dir);
	const char *argv[] = { "/proc/self/exe", "analyze", ex, "--lucky", "50", "--json", "-q", NULL };
	char *out = NULL;
	int st = run_capture(argv, &out, 120000);
	char *brace = out ? strchr(out, '{') : NULL;
	char err[256];
	struct jr_value *v = brace ? jr_parse(brace, strlen(brace), err, sizeof(err)) : NULL;
	if (!v) {
		log_err("%s: analyze gave no JSON (exit %d)", ex, st);
		free(out);
		return false;
	}
	*bias = jr_num(jr_get(jr_get(v, "lucky"), "offset_mean_after"));
	jr_free(v);
	free(out);
	if (!isfinite(*bias))
		log_err("%s: analyze's JSON has no lucky-packet mean", ex);
	return isfinite(*bias);
}

int cmd_sync(int argc, char **argv)
{
	enum { OPT_LAB = 256, OPT_FWD, OPT_REV, OPT_JSON, OPT_SERVER, OPT_CLIENT, OPT_APPLY,
	       OPT_DRY, OPT_ROOT, OPT_LPV, OPT_SHM, OPT_STO, OPT_TRUTH, OPT_KNOWN, OPT_BASE,
	       OPT_APPLYC, OPT_FORCE, OPT_NONTP, OPT_NOGNSS, OPT_NMEA };
	static const struct option opts[] = {
		{ "lab", no_argument, NULL, OPT_LAB },
		{ "duration", required_argument, NULL, 'd' },
		{ "fwd", required_argument, NULL, OPT_FWD },
		{ "rev", required_argument, NULL, OPT_REV },
		{ "transport", required_argument, NULL, 't' },
		{ "dir", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "server", no_argument, NULL, OPT_SERVER },
		{ "client", no_argument, NULL, OPT_CLIENT },
		{ "iface", required_argument, NULL, 'i' },
		{ "apply", no_argument, NULL, OPT_APPLY },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "linuxptp-version", required_argument, NULL, OPT_LPV },
		{ "uds", required_argument, NULL, 's' },
		{ "shm-unit", required_argument, NULL, OPT_SHM },
		{ "stage-timeout", required_argument, NULL, OPT_STO },
		{ "truth", required_argument, NULL, OPT_TRUTH },
		{ "known-offset", required_argument, NULL, OPT_KNOWN },
		{ "baseline", required_argument, NULL, OPT_BASE },
		{ "layer", required_argument, NULL, 'L' },
		{ "apply-correction", no_argument, NULL, OPT_APPLYC },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "no-ntpsec", no_argument, NULL, OPT_NONTP },
		{ "no-gnss", no_argument, NULL, OPT_NOGNSS },
		{ "nmea", required_argument, NULL, OPT_NMEA },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool lab = false, json = false, dry = false, duration_set = false, no_ntpsec = false,
	     sto_set = false, no_gnss = false;
	const char *nmea = NULL;
	struct sync_host_opts ho = { .iface = "eth0", .shm_unit = 2,
				     .stage_timeout_ns = 300000000000LL, .duration = "10min",
				     .layer = "ptp4l" };
	int modes = 0;
	long lv;
	const char *duration = "20s", *fwd = "300us", *rev = "100us", *transport = "L2";
	char dirbuf[64];
	snprintf(dirbuf, sizeof(dirbuf), "sync-%d", (int)getpid());
	const char *dir = dirbuf;
	int64_t ns;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "d:t:o:i:s:L:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LAB: lab = true; modes++; break;
		case OPT_SERVER: ho.server = true; modes++; break;
		case OPT_CLIENT: ho.server = false; modes++; break;
		case 'i': ho.iface = optarg; break;
		case OPT_APPLY: ho.apply = true; break;
		case OPT_DRY: dry = true; break;
		case OPT_ROOT: ho.root = optarg; break;
		case OPT_LPV: ho.linuxptp = optarg; break;
		case 's': ho.uds = optarg; break;
		case OPT_SHM:
			if (!parse_int_arg("--shm-unit", optarg, 0, 255, &lv))
				return EXIT_USAGE;
			ho.shm_unit = (int)lv;
			break;
		case OPT_STO:
			if (!parse_duration(optarg, &ho.stage_timeout_ns) || ho.stage_timeout_ns <= 0)
				return usage_error("--stage-timeout: '%s' is not a duration", optarg);
			sto_set = true;
			break;
		case OPT_NONTP: no_ntpsec = true; break;
		case OPT_NOGNSS: no_gnss = true; break;
		case OPT_NMEA: nmea = optarg; break;
		case OPT_TRUTH: ho.truth = optarg; break;
		case OPT_KNOWN: ho.known_offset = optarg; break;
		case OPT_BASE: ho.baseline = optarg; break;
		case 'L':
			if (strcmp(optarg, "ptp4l") && strcmp(optarg, "refclock"))
				return usage_error("--layer: '%s' is not ptp4l or refclock", optarg);
			ho.layer = optarg;
			break;
		case OPT_APPLYC: ho.apply_correction = true; break;
		case OPT_FORCE: ho.force = true; break;
		case 'd':
			if (!parse_duration(optarg, &ns) || ns < 5000000000LL)
				return usage_error("--duration: '%s' is not a duration of at least 5 s", optarg);
			duration = optarg;
			duration_set = true;
			break;
		case OPT_FWD: fwd = optarg; break;
		case OPT_REV: rev = optarg; break;
		case 't':
			if (strcmp(optarg, "L2") && strcmp(optarg, "UDPv4") && strcmp(optarg, "UDPv6"))
				return usage_error("--transport: '%s' is not L2, UDPv4 or UDPv6", optarg);
			transport = optarg;
			break;
		case 'o': dir = optarg; break;
		case OPT_JSON: json = true; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (modes != 1)
		return usage_error("say one of --lab, --server, --client");
	if (!lab) {
		if (ho.apply && dry)
			return usage_error("--apply and --dry-run: choose one");
		if (ho.apply_correction && !ho.apply)
			return usage_error("--apply-correction needs --apply");
		if (duration_set)
			ho.duration = duration;
		ho.dir = dir;
		ho.json = json;
		return sync_host(&ho);
	}
	/* The delays are checked here, before a directory or a lab exists (lab switch's parser). */
	const char *spec_opt[2] = { "--fwd", "--rev" }, *spec_val[2] = { fwd, rev };
	for (int i = 0; i < 2; i++) {
		struct delay_spec ds;
		char why[160];
		if (!delay_spec_parse(spec_val[i], &ds, why, sizeof(why)))
			return usage_error("%s: %s", spec_opt[i], why);
	}
	struct stat st;
	if (stat(dir, &st) == 0) {
		log_err("%s: already exists; give a new --dir", dir);
		return EXIT_USAGE;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (mkdir(dir, 0755) != 0) {
		log_err("%s: cannot create it: %s", dir, strerror(errno));
		return EXIT_USAGE;
	}
	char absdir[PATH_MAX], before[PATH_MAX + 16], after[PATH_MAX + 16], opt[64];
	if (!realpath(dir, absdir)) {
		log_err("%s: %s", dir, strerror(errno));
		return EXIT_FAILED;
	}
	snprintf(before, sizeof(before), "%s/before", absdir);
	snprintf(after, sizeof(after), "%s/after", absdir);
	FILE *prog = json ? stderr : stdout;
	bool refclock = strcmp(ho.layer, "refclock") == 0;
	int64_t dur_ns = 0;
	parse_duration(duration, &dur_ns);
	char nb[32], na[32];
	snprintf(nb, sizeof(nb), "sb%d", (int)getpid());
	snprintf(na, sizeof(na), "sa%d", (int)getpid());
	struct lab_phase ph = { .name = nb, .dir = before, .duration_ns = dur_ns,
				.timeout_ns = sto_set ? ho.stage_timeout_ns : 60000000000LL,
				.fwd = fwd, .rev = rev, .transport = transport, .ntpsec = !no_ntpsec,
				.gnss = !no_gnss, .nmea = nmea,
				.verify = false, .prog = prog, .interrupted = &interrupted };
	struct lab_phase_result rb, ra;

	fprintf(prog, "sync 1/4: lab, %s through fwd %s / rev %s (%s), no correction\n", duration,
		fwd, rev, transport);
	fflush(prog);
	int rc = lab_phase_run(&ph, &rb);
	if (interrupted || rc == 130) {
		log_err("interrupted; what was measured is in %s", dir);
		return 130;
	}
	if (rc != 0) {
		log_err("%s: the lab chain failed", before);
		return EXIT_FAILED;
	}
	fprintf(prog, "sync 2/4: calibrate against the lab's truth (%s layer)\n", ho.layer);
	fflush(prog);
	struct stage b, a;
	double bl, al;
	if (!calibrate(before, ho.layer, &b) || !lucky_bias(before, &bl))
		return EXIT_FAILED;
	if (refclock)
		fprintf(prog, "  bias before: %+.0f ns (95 %% %+.0f .. %+.0f) -> ntpsec time1 %.9f\n",
			b.bias, b.lo, b.hi, b.time1);
	else
		fprintf(prog, "  bias before: %+.0f ns (95 %% %+.0f .. %+.0f) -> delayAsymmetry %lld\n",
			b.bias, b.lo, b.hi, b.correction);
	snprintf(opt, sizeof(opt), "delayAsymmetry %lld", b.correction);
	if (refclock)
		fprintf(prog, "sync 3/4: lab again with 'time1 %.9f' on ntpsec's SHM refclock\n",
			b.time1);
	else
		fprintf(prog, "sync 3/4: lab again with '%s' in ptp4l.conf\n", opt);
	fflush(prog);
	ph.name = na;
	ph.dir = after;
	ph.ptp4l_opt = refclock ? NULL : opt;
	ph.time1_s = refclock ? b.time1 : 0;
	ph.verify = true;
	rc = lab_phase_run(&ph, &ra);
	if (interrupted || rc == 130) {
		log_err("interrupted; what was measured is in %s", dir);
		return 130;
	}
	if (rc != 0) {
		log_err("%s: the lab chain failed", after);
		return EXIT_FAILED;
	}
	fprintf(prog, "sync 4/4: calibrate again (the residual)\n");
	fflush(prog);
	if (!calibrate(after, ho.layer, &a) || !lucky_bias(after, &al))
		return EXIT_FAILED;
	/* the verdict on the lucky-packet means: a few delay spikes (host load) move a short
	 * run's plain mean by far more than the residual asymmetry. With the refclock layer
	 * the PTP offset is left as it is and the correction shows in ntpd's peer offset. */
	bool improved;
	if (refclock)
		improved = isfinite(rb.ntpd_offset_ns) && isfinite(ra.ntpd_offset_ns) &&
			   fabs(ra.ntpd_offset_ns) < fabs(rb.ntpd_offset_ns) / 4;
	else
		improved = fabs(al) < fabs(bl) / 4;
	if (json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "schema", "ptpcal-sync/1");
		json_str(&j, "mode", "lab");
		json_str(&j, "fwd", fwd);
		json_str(&j, "rev", rev);
		json_str(&j, "layer", ho.layer);
		json_obj_begin(&j, "before");
		json_str(&j, "dir", before);
		json_num(&j, "bias_ns", b.bias);
		json_num(&j, "ci_lo_ns", b.lo);
		json_num(&j, "ci_hi_ns", b.hi);
		json_num(&j, "lucky50_bias_ns", bl);
		json_num(&j, "ntpd_offset_ns", rb.ntpd_offset_ns);
		json_int(&j, "ntpd_samples", rb.ntpd_samples);
		json_num(&j, "ntpd_offset_sd_ns", rb.ntpd_offset_sd_ns);
		json_obj_end(&j);
		json_int(&j, "delayAsymmetry", refclock ? 0 : b.correction);
		if (refclock)
			json_num(&j, "time1_s", b.time1);
		else
			json_null(&j, "time1_s");
		json_obj_begin(&j, "after");
		json_str(&j, "dir", after);
		json_num(&j, "bias_ns", a.bias);
		json_num(&j, "ci_lo_ns", a.lo);
		json_num(&j, "ci_hi_ns", a.hi);
		json_num(&j, "lucky50_bias_ns", al);
		json_num(&j, "ntpd_offset_ns", ra.ntpd_offset_ns);
		json_int(&j, "ntpd_samples", ra.ntpd_samples);
		json_num(&j, "ntpd_offset_sd_ns", ra.ntpd_offset_sd_ns);
		json_obj_end(&j);
		json_obj_begin(&j, "stages");
		json_str(&j, "phc2sys", "SKIP: no PHC (software time stamps)");
		json_str(&j, "ntpsec", ra.ntpsec_skip[0] ? ra.ntpsec_skip : "ran");
		json_str(&j, "gnss", ra.gnss_skip[0] ? ra.gnss_skip : "ran");
		json_int(&j, "watchdog_events", ra.gnss_events);
		json_int(&j, "verify_client_exit", ra.verify_client_rc);
		json_int(&j, "verify_server_exit", ra.verify_server_rc);
		json_obj_end(&j);
		json_bool(&j, "improved", improved);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		printf("bias of the client's PTP offset against the lab's truth (slave - master):\n"
		       "  before  %+10.0f ns  (95 %% %+.0f .. %+.0f; lucky 50 %% %+.0f)\n"
		       "  after   %+10.0f ns  (95 %% %+.0f .. %+.0f; lucky 50 %% %+.0f)  with ",
		       b.bias, b.lo, b.hi, bl, a.bias, a.lo, a.hi, al);
		if (refclock)
			printf("ntpsec time1 %.9f (PTP layer unchanged)\n", b.time1);
		else
			printf("delayAsymmetry %lld\n", b.correction);
		if (isfinite(rb.ntpd_offset_ns) || isfinite(ra.ntpd_offset_ns))
			printf("ntpd's offset of the PTP refclock (ntpq -pn, reference - system):\n"
			       "  before  %+10.0f ns  (%d looks)\n  after   %+10.0f ns  (%d looks)\n",
			       rb.ntpd_offset_ns, rb.ntpd_samples, ra.ntpd_offset_ns, ra.ntpd_samples);
		else
			printf("ntpsec: SKIP: %s\n", ra.ntpsec_skip);
		printf("%s\n", improved ? "the correction works"
					: "the correction did NOT reduce the time error");
	}
	return improved ? EXIT_OK : EXIT_FAILED;
}
