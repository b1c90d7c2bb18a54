/* ptpcal analyze: distributions, settling, lucky packets, bias and asymmetry against a truth,
 * rolling windows and findings, as text or JSON (docs/analyze-json.md). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/analyze_json.h"
#include "analyze/analyze_out.h"
#include "analyze/ptp4l_estimator_conf.h"
#include "common/cli.h"
#include "common/commands.h"
#include "common/dataset.h"
#include "common/log.h"

static const char usage[] =
	"usage: ptpcal analyze FILE... [options]\n"
	"\n"
	"Statistics of PTP exchanges (datasets from 'ptpcal capture -o' or 'ptpcal lab replay'):\n"
	"offset and path-delay distributions, the settling phase, lucky-packet filtering, and,\n"
	"against a truth, the offset bias and the per-exchange path asymmetry with 95 %\n"
	"confidence intervals that account for autocorrelation, its drift and stationarity;\n"
	"stability (ADEV ... MTIE, NIST SP 1065) and time error (ITU-T G.8273.2) of the offset.\n"
	"FILE: exchanges datasets (analysed together, in time order), a truth dataset, a servo\n"
	"dataset, a messages dataset or a pcap/pcapng capture (protocol health: rates, loss,\n"
	"UTC/TAI; a capture is also paired into exchanges). Without exchanges, a truth, servo,\n"
	"ntpshm or phc dataset is analysed as an offset series of its own (distribution,\n"
	"stability, time error; a PHC's timescale: TAI or UTC). Sign: offset = slave - master.\n"
	"\n"
	"      --json               the results as JSON on stdout (docs/analyze-json.md)\n"
	"      --out DIR            datasets for plotting and summary.json in DIR\n"
	"                           (docs/analyze-output.md)\n"
	"      --truth FILE         truth dataset: the true offset of the slave clock over time\n"
	"      --truth-offset NS    a constant true offset (e.g. 0, '1.5us'); exchanges from the\n"
	"                           lab carry one as truth_offset_ns metadata, used by default\n"
	"      --lucky PCT          keep only the PCT % smallest path delays (in blocks) for the\n"
	"                           bias; the effect is reported\n"
	"      --settle MODE        auto (servo log if given, else MSER-5 on the data), none, or\n"
	"                           a duration to drop from the start ('30s', '2m'); default auto\n"
	"      --window LIST        rolling window durations, default 1m,10m,1h\n"
	"      --ptp4l-log FILE     ptp4l/phc2sys log: servo states s0/s1/s2 give the settling\n"
	"      --ptp4l-conf FILE    the client's ptp4l.conf: its [global] tsproc_mode, delay_filter\n"
	"                           and delay_filter_length set the replay of ptp4l's estimator\n"
	"      --tsproc-mode M      filter (default), raw, filter_weight, raw_weight\n"
	"      --delay-filter F     moving_median (default) or moving_average\n"
	"      --delay-filter-length N  default 10 (options override --ptp4l-conf)\n"
	"      --tau LIST           stability taus: octave (default), decade, all, or seconds\n"
	"                           (e.g. 1,10,100 or 1s,1m)\n"
	"      --series phase|freq  FILE is a plain series, one value per line: phase in\n"
	"                           seconds or fractional frequency (needs --rate)\n"
	"      --rate HZ            samples per second of the --series file\n"
	"  -q, --quiet              no progress\n"
	"  -v, --verbose            more detail on stderr\n"
	"  -h, --help               this help\n"
	"\n"
	"Without a truth, two-way exchanges cannot observe path asymmetry; analyze says so and\n"
	"reports what they do show (delay changes, one-way delay variation).\n"
	"Beside the mean bias, analyze replays ptp4l's own estimator (delay filter, tsproc_mode)\n"
	"on the exchanges and reports the bias a ptp4l client settles at, with its interval.\n"
	"Exit: 0 done, 1 a protocol-health check found an error (e.g. the 37-second UTC/TAI\n"
	"mistake), 2 bad usage or input.\n";

static bool parse_windows(const char *arg, struct analyze_opts *o)
{
	char *copy = xstrdup(arg);
	o->nwindows = 0;
	bool ok = true;
	/* split by hand: strtok would skip an empty item ("1m,,10m") */
	for (char *tok = copy; tok;) {
		char *comma = strchr(tok, ',');
		if (comma)
			*comma = '\0';
		int64_t ns;
		if (o->nwindows == AN_MAX_WINDOWS || !parse_duration(tok, &ns) || ns <= 0) {
			ok = false;
			break;
		}
		o->window_ns[o->nwindows++] = ns;
		tok = comma ? comma + 1 : NULL;
	}
	free(copy);
	return ok && o->nwindows > 0;
}

int cmd_analyze(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ "truth", required_argument, NULL, 'T' },
		{ "truth-offset", required_argument, NULL, 'O' },
		{ "lucky", required_argument, NULL, 'L' },
		{ "settle", required_argument, NULL, 'S' },
		{ "window", required_argument, NULL, 'W' },
		{ "ptp4l-log", required_argument, NULL, 'P' },
		{ "tau", required_argument, NULL, 't' },
		{ "ptp4l-conf", required_argument, NULL, 'C' },
		{ "tsproc-mode", required_argument, NULL, 'M' },
		{ "delay-filter", required_argument, NULL, 'F' },
		{ "delay-filter-length", required_argument, NULL, 'N' },
		{ "series", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct analyze_opts o;
	stab_run_opts_free(&o.stab); /* a --tau list of an earlier call in this process */
	memset(&o, 0, sizeof(o));
	o.settle = SETTLE_AUTO;
	ptp4l_estimator_cfg_default(&o.ptp4l_est);
	const char *ptp4l_conf = NULL, *est_opt[3] = { NULL, NULL, NULL };
	parse_windows("1m,10m,1h", &o);
	bool json = false;
	const char *out_dir = NULL;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "qvh", lopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'o': out_dir = optarg; break;
		case 'C': ptp4l_conf = optarg; break;
		case 'M': est_opt[0] = optarg; break;
		case 'F': est_opt[1] = optarg; break;
		case 'N': est_opt[2] = optarg; break;
		case 'T': o.truth_path = optarg; break;
		case 'O':
			if (!parse_time_value(optarg, 1.0, &o.truth_offset_ns) ||
			    !isfinite(o.truth_offset_ns))
				return usage_error("--truth-offset: '%s' is not a time (e.g. 0, "
						   "150ns, -1.5us)", optarg);
			o.have_truth_offset = true;
			break;
		case 'L':
			if (!parse_double_strict(optarg, &o.lucky_pct) || !(o.lucky_pct > 0) ||
			    o.lucky_pct > 100)
				return usage_error("--lucky: '%s' is not a percentage in (0, 100]",
						   optarg);
			break;
		case 'S':
			if (strcmp(optarg, "auto") == 0) {
				o.settle = SETTLE_AUTO;
			} else if (strcmp(optarg, "none") == 0) {
				o.settle = SETTLE_NONE;
			} else {
				int64_t ns;
				if (!parse_duration(optarg, &ns))
					return usage_error("--settle: '%s' is not auto, none or a "
							   "duration", optarg);
				o.settle = SETTLE_SECONDS;
				o.settle_s = (double)ns * 1e-9;
			}
			break;
		case 'W':
			if (!parse_windows(optarg, &o))
				return usage_error("--window: '%s' is not a list of up to %d "
						   "durations (e.g. 1m,10m,1h)", optarg,
						   AN_MAX_WINDOWS);
			break;
		case 'P': o.servo_log = optarg; break;
		case 't':
			if (!stab_run_parse_taus(optarg, &o.stab))
				return usage_error("--tau: '%s' is not octave, decade, all or a "
						   "comma-separated list of positive durations",
						   optarg);
			break;
		case 's':
			if (strcmp(optarg, "phase") == 0)
				o.series = SERIES_PHASE;
			else if (strcmp(optarg, "freq") == 0)
				o.series = SERIES_FREQ;
			else
				return usage_error("--series: '%s' is not phase or freq", optarg);
			break;
		case 'r':
			if (!parse_double_strict(optarg, &o.rate_hz) || !(o.rate_hz > 0) ||
			    !isfinite(o.rate_hz))
				return usage_error("--rate: '%s' is not a positive number of samples "
						   "per second", optarg);
			break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	for (int i = optind; i < argc; i++) {
		if (o.ninputs == AN_MAX_INPUTS)
			return usage_error("more than %d input files", AN_MAX_INPUTS);
		o.inputs[o.ninputs++] = argv[i];
	}
	if (o.ninputs == 0)
		return usage_error("no input: give an exchanges dataset");
	if (o.series != SERIES_NONE && !(o.rate_hz > 0))
		return usage_error("--series needs --rate HZ");
	if (o.series == SERIES_NONE && o.rate_hz > 0)
		return usage_error("--rate applies to a --series file");
	if (o.series != SERIES_NONE && o.ninputs != 1)
		return usage_error("--series takes exactly one FILE");
	if (o.series != SERIES_NONE && (o.truth_path || o.have_truth_offset || o.lucky_pct > 0 ||
					o.servo_log))
		return usage_error("--series: a plain series has no exchanges for --truth, "
				   "--truth-offset, --lucky or --ptp4l-log");
	if (o.truth_path && o.have_truth_offset)
		return usage_error("--truth and --truth-offset exclude each other");

	int erc = ptp4l_estimator_cfg_load(&o.ptp4l_est, ptp4l_conf, est_opt[0], est_opt[1],
					   est_opt[2]);
	if (erc)
		return erc;

	struct analysis an;
	int rc = analysis_run(&o, &an);
	if (rc == EXIT_OK) {
		/* the files first: a bad --out must not leave a report on stdout */
		if (out_dir && analyze_write_out(out_dir, &an) != 0) {
			rc = EXIT_USAGE;
		} else {
			if (json)
				analyze_write_json(stdout, &an);
			else
				analyze_write_text(stdout, &an);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				log_err("stdout: write error: %s", strerror(errno));
				rc = EXIT_USAGE; /* a full disk is not an internal error */
			} else if (findings_worst(&an.findings) == SEV_ERROR) {
				rc = EXIT_FAILED;
			}
		}
	}
	analysis_free(&an);
	stab_run_opts_free(&o.stab);
	return rc;
}
