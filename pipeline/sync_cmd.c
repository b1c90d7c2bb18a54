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

extern char **environ;

static const char usage[] =
	"usage: ptpcal sync --lab [options]\n"
	"\n"
	"Run the measure -> calibrate -> apply -> measure-again chain end to end in the PTP lab\n"
	"(ptpcal lab: real ptp4l, free_running, in namespaces; needs root) and print where the\n"
	"client's time error stands before and after the correction:\n"
	"  1. lab run through a path with --fwd/--rev delays (the asymmetry to find)\n"
	"  2. calibrate against the lab's truth: bias with its 95 % interval -> delayAsymmetry\n"
	"  3. lab run again with that delayAsymmetry in every ptp4l.conf\n"
	"  4. calibrate again: the residual time error\n"
	"\n"
	"      --lab               the lab chain (the only mode: on real hosts use setup, verify,\n"
	"                          capture, calibrate and verify again)\n"
	"  -d, --duration D        each measurement (default 20s)\n"
	"      --fwd SPEC          switch delay master -> client (default 300us)\n"
	"      --rev SPEC          switch delay client -> master (default 100us)\n"
	"  -t, --transport T       L2 (default), UDPv4, UDPv6\n"
	"  -o, --dir DIR           where the two lab datasets go (default ./sync-PID)\n"
	"      --json              summary as JSON (schema ptpcal-sync/1)\n"
	"  -h, --help              this help\n"
	"\n"
	"The verdict uses the lucky-packet means (the half of the exchanges with the smallest\n"
	"path delays, ptpcal analyze --lucky 50): a few delay spikes on a loaded host move a\n"
	"short run's plain mean far more than the residual asymmetry.\n"
	"Exit: 0 the correction cut the bias to below a quarter, 1 it did not or a stage\n"
	"failed, 2 bad usage, 130 interrupted (the lab cleans up; datasets are kept).\n";

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1; /* the child (lab run) gets the same Ctrl-C and cleans up itself */
}

/* Run this binary with args, stdout/stderr inherited (progress stays on the terminal);
 * returns its exit status, or -1. */
static int run_self_inherit(char *const args[])
{
	pid_t pid;
	if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ) != 0)
		return -1;
	int st;
	bool forwarded = false;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -1;
		/* a signal sent to us alone (not the terminal's process group): pass it on to
		 * our child, by its PID, so that the lab tears itself down now */
		if (interrupted && !forwarded) {
			kill(pid, SIGINT);
			forwarded = true;
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct stage {
	double bias, lo, hi;
	long long correction;
	bool ok;
};

/* calibrate DIR --force --json -> bias, interval and the delayAsymmetry it emits. */
static bool calibrate(const char *dir, struct stage *s)
{
	const char *argv[] = { "/proc/self/exe", "calibrate", dir, "--force", "--json", "-q", NULL };
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
	bool found = false;
	const struct jr_value *emit = jr_get(v, "emit");
	for (size_t i = 0; i < jr_len(emit); i++) {
		const struct jr_value *e = jr_at(emit, i);
		if (!jr_str(jr_get(e, "target")) || strcmp(jr_str(jr_get(e, "target")), "ptp4l") != 0)
			continue;
		const struct jr_value *lines = jr_get(e, "lines");
		for (size_t k = 0; k < jr_len(lines); k++) {
			const char *l = jr_str(jr_at(lines, k));
			if (l && sscanf(l, "delayAsymmetry %lld", &s->correction) == 1)
				found = true;
		}
	}
	jr_free(v);
	free(out);
	s->ok = isfinite(s->bias) && isfinite(s->lo) && isfinite(s->hi) && found;
	if (!s->ok)
		log_err("%s: calibrate's JSON lacks the bias or a delayAsymmetry line", dir);
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
	enum { OPT_LAB = 256, OPT_FWD, OPT_REV, OPT_JSON };
	static const struct option opts[] = {
		{ "lab", no_argument, NULL, OPT_LAB },
		{ "duration", required_argument, NULL, 'd' },
		{ "fwd", required_argument, NULL, OPT_FWD },
		{ "rev", required_argument, NULL, OPT_REV },
		{ "transport", required_argument, NULL, 't' },
		{ "dir", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool lab = false, json = false;
	const char *duration = "20s", *fwd = "300us", *rev = "100us", *transport = "L2";
	char dirbuf[64];
	snprintf(dirbuf, sizeof(dirbuf), "sync-%d", (int)getpid());
	const char *dir = dirbuf;
	int64_t ns;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "d:t:o:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LAB: lab = true; break;
		case 'd':
			if (!parse_duration(optarg, &ns) || ns < 5000000000LL)
				return usage_error("--duration: '%s' is not a duration of at least 5 s", optarg);
			duration = optarg;
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
	if (!lab)
		return usage_error("say --lab (the only mode; on real hosts: setup, verify, capture, "
				   "calibrate)");
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
	char before[1024], after[1024], opt[64];
	snprintf(before, sizeof(before), "%s/before", dir);
	snprintf(after, sizeof(after), "%s/after", dir);
	FILE *prog = json ? stderr : stdout;

	fprintf(prog, "sync 1/4: lab, %s through fwd %s / rev %s (%s), no correction\n", duration,
		fwd, rev, transport);
	fflush(prog);
	char *run1[] = { "ptpcal", "lab", "run", "-q", "-o", before, "-d", (char *)duration, "-t",
			 (char *)transport, "--fwd", (char *)fwd, "--rev", (char *)rev, NULL };
	int rc = run_self_inherit(run1);
	if (interrupted) {
		log_err("interrupted; what was measured is in %s", dir);
		return 130;
	}
	if (rc != 0) {
		log_err("%s: lab run failed (exit %d)", before, rc);
		return rc == EXIT_USAGE ? EXIT_USAGE : EXIT_FAILED;
	}
	fprintf(prog, "sync 2/4: calibrate against the lab's truth\n");
	fflush(prog);
	struct stage b, a;
	double bl, al;
	if (!calibrate(before, &b) || !lucky_bias(before, &bl))
		return EXIT_FAILED;
	fprintf(prog, "  bias before: %+.0f ns (95 %% %+.0f .. %+.0f) -> delayAsymmetry %lld\n",
		b.bias, b.lo, b.hi, b.correction);
	snprintf(opt, sizeof(opt), "delayAsymmetry %lld", b.correction);
	fprintf(prog, "sync 3/4: lab again with '%s' in ptp4l.conf\n", opt);
	fflush(prog);
	char *run2[] = { "ptpcal", "lab", "run", "-q", "-o", after, "-d", (char *)duration, "-t",
			 (char *)transport, "--fwd", (char *)fwd, "--rev", (char *)rev, "--ptp4l-opt",
			 opt, NULL };
	rc = run_self_inherit(run2);
	if (interrupted) {
		log_err("interrupted; what was measured is in %s", dir);
		return 130;
	}
	if (rc != 0) {
		log_err("%s: lab run failed (exit %d)", after, rc);
		return EXIT_FAILED;
	}
	fprintf(prog, "sync 4/4: calibrate again (the residual)\n");
	fflush(prog);
	if (!calibrate(after, &a) || !lucky_bias(after, &al))
		return EXIT_FAILED;
	/* the verdict on the lucky-packet means: a few delay spikes (host load) move a short
	 * run's plain mean by far more than the residual asymmetry */
	bool improved = fabs(al) < fabs(bl) / 4;
	if (json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "schema", "ptpcal-sync/1");
		json_str(&j, "mode", "lab");
		json_str(&j, "fwd", fwd);
		json_str(&j, "rev", rev);
		json_obj_begin(&j, "before");
		json_str(&j, "dir", before);
		json_num(&j, "bias_ns", b.bias);
		json_num(&j, "ci_lo_ns", b.lo);
		json_num(&j, "ci_hi_ns", b.hi);
		json_num(&j, "lucky50_bias_ns", bl);
		json_obj_end(&j);
		json_int(&j, "delayAsymmetry", b.correction);
		json_obj_begin(&j, "after");
		json_str(&j, "dir", after);
		json_num(&j, "bias_ns", a.bias);
		json_num(&j, "ci_lo_ns", a.lo);
		json_num(&j, "ci_hi_ns", a.hi);
		json_num(&j, "lucky50_bias_ns", al);
		json_obj_end(&j);
		json_bool(&j, "improved", improved);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		printf("bias of the client's PTP offset against the lab's truth (slave - master):\n"
		       "  before  %+10.0f ns  (95 %% %+.0f .. %+.0f; lucky 50 %% %+.0f)\n"
		       "  after   %+10.0f ns  (95 %% %+.0f .. %+.0f; lucky 50 %% %+.0f)  with "
		       "delayAsymmetry %lld\n"
		       "%s\n",
		       b.bias, b.lo, b.hi, bl, a.bias, a.lo, a.hi, al, b.correction,
		       improved ? "the correction works" : "the correction did NOT reduce the time error");
	}
	return improved ? EXIT_OK : EXIT_FAILED;
}
