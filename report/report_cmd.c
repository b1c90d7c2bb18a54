/* ptpcal report: pictures and an HTML page from an analysis.
 *
 * Runs `ptpcal analyze INPUT... --json --out DIR/data` (this very binary, /proc/self/exe) or
 * takes an existing analyze --out directory, writes one gnuplot script per figure with its
 * decimated data next to it, renders each to PNG (pngcairo) and SVG, and writes index.html
 * and report.txt. Without gnuplot the scripts, the HTML and the text still appear, with a
 * note naming the package to install. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/commands.h"
#include "common/json_read.h"
#include "common/log.h"
#include "report/analysis_in.h"
#include "report/figures.h"
#include "report/gnuplot.h"
#include "report/html.h"
#include "report/residence.h"
#include "report/summary.h"
#include "report/units.h"

static const char usage[] =
	"usage: ptpcal report [options] -o DIR EXCHANGES.tsv...\n"
	"       ptpcal report [options] -o DIR --from-analysis ADIR\n"
	"\n"
	"Plots and an HTML page (DIR/index.html) from an analysis: offset and path delay vs\n"
	"time (servo states shaded), the offset histogram with percentiles, the bias over time\n"
	"with its 95 % interval, ADEV/MDEV and TDEV with noise-type slopes, MTIE and TDEV\n"
	"against the G.8273.2 masks (MTIE also against the G.8271.1 network limit at point C),\n"
	"measured offset against the truth (when the data has one),\n"
	"and a switch's residence-time distribution (--switch-log). Each figure is a gnuplot\n"
	"script NAME.gp with its data NAME*.dat, rendered to NAME.png and NAME.svg; edit and rerun\n"
	"a script with 'cd DIR && gnuplot NAME.gp'. Long runs are decimated for plotting only\n"
	"(min/max per pixel column); every statistic uses every sample. DIR/report.txt has the\n"
	"summary as text.\n"
	"\n"
	"  -o, --output DIR        the report directory (created; files in it are replaced)\n"
	"  -A, --from-analysis ADIR  use an existing 'ptpcal analyze --out ADIR' instead of\n"
	"                          running the analysis on EXCHANGES.tsv (then in DIR/data)\n"
	"  -c, --calibration FILE  'ptpcal calibrate --json' output: its lines and uncertainty\n"
	"  -s, --switch-log FILE   a switch's per-frame log (switch-frames, .xz/.gz allowed)\n"
	"  -t, --title TEXT        page title (default: the input names)\n"
	"  -q, --quiet             no message but errors\n"
	"  -h, --help\n"
	"\n"
	"Needs gnuplot (Debian package gnuplot-nox) to render pictures.\n"
	"Exit: 0 report written, 2 bad usage or input, 3 gnuplot failed on a figure.\n";

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s && s[1] ? s + 1 : p;
}

static bool make_dir(const char *dir)
{
	if (mkdir(dir, 0755) == 0 || errno == EEXIST) {
		struct stat st;
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			return true;
		log_err("%s: exists and is not a directory", dir);
		return false;
	}
	log_err("%s: %s", dir, strerror(errno));
	return false;
}

/* Runs this binary's analyze on the inputs. Exit code for the report, or 0. */
static int run_analyze(char **inputs, int n, const char *outdir)
{
	char **args = xcalloc((size_t)n + 7, sizeof(char *));
	int k = 0;
	args[k++] = (char *)"ptpcal";
	args[k++] = (char *)"analyze";
	if (log_verbosity() < 0)
		args[k++] = (char *)"-q";
	for (int i = 0; i < n; i++)
		args[k++] = inputs[i];
	args[k++] = (char *)"--json";
	args[k++] = (char *)"--out";
	args[k++] = (char *)outdir;
	args[k] = NULL;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		log_err("fork: %s", strerror(errno));
		free(args);
		return EXIT_INTERNAL;
	}
	if (pid == 0) {
		/* The summary is in OUT/summary.json; the --json copy on stdout is not needed. */
		if (!freopen("/dev/null", "w", stdout))
			_exit(EXIT_INTERNAL);
		execv("/proc/self/exe", args);
		fprintf(stderr, "ptpcal report: /proc/self/exe: %s\n", strerror(errno));
		_exit(EXIT_INTERNAL);
	}
	free(args);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			log_err("waitpid: %s", strerror(errno));
			return EXIT_INTERNAL;
		}
	if (WIFEXITED(status)) {
		int rc = WEXITSTATUS(status);
		if (rc == EXIT_OK || rc == EXIT_FAILED) /* 1: a check failed, the output exists */
			return 0;
		if (rc == EXIT_USAGE) /* analyze said why, in one line naming the input */
			return EXIT_USAGE;
	}
	log_err("'ptpcal analyze' failed (%s %d)", WIFEXITED(status) ? "exit" : "signal",
		WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return EXIT_INTERNAL;
}

/* "a.tsv, b.tsv" from the analysis's inputs (or the given names). */
static void source_names(char *out, size_t len, const struct jr_value *summary, const char *dflt)
{
	out[0] = '\0';
	const struct jr_value *in = jr_get(summary, "inputs");
	for (size_t i = 0; i < jr_len(in) && i < 4; i++) {
		const char *p = jr_str(jr_at(in, i));
		if (!p)
			continue;
		size_t used = strlen(out);
		snprintf(out + used, len - used, "%s%s", used ? ", " : "", base_name(p));
	}
	if (jr_len(in) > 4) {
		size_t used = strlen(out);
		snprintf(out + used, len - used, " and %zu more", jr_len(in) - 4);
	}
	if (!out[0])
		snprintf(out, len, "%s", dflt);
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "from-analysis", required_argument, NULL, 'A' },
		{ "calibration", required_argument, NULL, 'c' },
		{ "switch-log", required_argument, NULL, 's' },
		{ "title", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *from = NULL, *cal_path = NULL, *swlog = NULL, *title = NULL;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "o:A:c:s:t:qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'A': from = optarg; break;
		case 'c': cal_path = optarg; break;
		case 's': swlog = optarg; break;
		case 't': title = optarg; break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (!out)
		return usage_error("no output directory: give -o DIR");
	if (!from && optind >= argc)
		return usage_error("no input: give exchanges datasets or --from-analysis DIR");
	if (from && optind < argc)
		return usage_error("give either inputs or --from-analysis, not both");
	if (title && (strchr(title, '\n') || strlen(title) > 200))
		return usage_error("--title: one line of at most 200 characters");

	/* Inputs are checked before anything is written. */
	for (int i = optind; i < argc; i++)
		if (access(argv[i], R_OK) != 0) {
			log_err("%s: %s", argv[i], strerror(errno));
			return EXIT_USAGE;
		}
	struct jr_value *cal = NULL;
	if (cal_path) {
		cal = jr_parse_file(cal_path);
		if (!cal)
			return EXIT_USAGE;
		const char *schema = jr_str(jr_get(cal, "schema"));
		if (!schema || strcmp(schema, "ptpcal-calibrate/1") != 0) {
			log_err("%s: not 'ptpcal calibrate --json' output (schema \"ptpcal-calibrate/1\")",
				cal_path);
			jr_free(cal);
			return EXIT_USAGE;
		}
	}
	struct residence res;
	bool have_res = false;
	if (swlog) {
		if (!residence_load(&res, swlog)) {
			jr_free(cal);
			return EXIT_USAGE;
		}
		have_res = true;
	}
	int rc = EXIT_OK;
	struct analysis_in a;
	memset(&a, 0, sizeof(a));
	char adir[4200];
	if (!make_dir(out)) {
		rc = EXIT_USAGE;
		goto done;
	}
	if (from) {
		snprintf(adir, sizeof(adir), "%s", from);
	} else {
		snprintf(adir, sizeof(adir), "%s/data", out);
		if (!make_dir(adir)) {
			rc = EXIT_USAGE;
			goto done;
		}
		rc = run_analyze(argv + optind, argc - optind, adir);
		if (rc)
			goto done;
	}
	if (!analysis_load(&a, adir)) {
		rc = EXIT_USAGE;
		goto done;
	}

	char sources[600];
	source_names(sources, sizeof(sources), a.summary, from ? base_name(from) : "input");
	double duration = a.series.n ? a.series.t[a.series.n - 1] : jr_num(jr_get(a.summary, "duration_s"));
	struct fig_ctx ctx = {
		.dir = out,
		.a = &a,
		.source = sources,
		.res = have_res ? &res : NULL,
		.res_source = swlog ? base_name(swlog) : NULL,
		.axis = units_time_axis(duration, a.series.n && a.series.absolute, a.series.t0_ns),
		.buckets = 1000,
	};
	struct figure figs[16];
	size_t nfig = figure_count;
	if (nfig > sizeof(figs) / sizeof(figs[0])) {
		log_err("internal: more figures than room for them");
		rc = EXIT_INTERNAL;
		goto done;
	}
	struct gp_job jobs[16];
	size_t njobs = 0;
	for (size_t i = 0; i < nfig; i++) {
		if (!figure_list[i](&ctx, &figs[i])) {
			rc = EXIT_USAGE; /* could not write into the output directory */
			goto done;
		}
		if (figs[i].made)
			jobs[njobs++] = (struct gp_job){ .name = figs[i].name };
	}

	char gpbuf[4200], note[700];
	const char *gnuplot = gp_find(gpbuf, sizeof(gpbuf));
	const char *no_gnuplot = NULL;
	if (!gnuplot) {
		snprintf(note, sizeof(note),
			 "gnuplot is not installed, so no pictures were rendered. Install the Debian "
			 "package gnuplot-nox (apt-get install gnuplot-nox) and run ptpcal report again, "
			 "or render the scripts written here: cd %s && for f in *.gp; do gnuplot \"$f\"; done",
			 out);
		no_gnuplot = note;
		log_warn("gnuplot not found: no pictures (install the package gnuplot-nox); "
			 "HTML, text and gnuplot scripts written");
	} else if (njobs) {
		int failed = gp_run_all(gnuplot, out, jobs, njobs, 2);
		if (failed) {
			rc = EXIT_INTERNAL;
			for (size_t j = 0; j < njobs; j++)
				if (!jobs[j].ok)
					log_err("%s/%s.gp: %s", out, jobs[j].name, jobs[j].why);
		}
	}
	for (size_t i = 0, j = 0; i < nfig; i++) {
		if (!figs[i].made)
			continue;
		figs[i].rendered = gnuplot && jobs[j].ok;
		if (gnuplot && !jobs[j].ok)
			snprintf(figs[i].failed, sizeof(figs[i].failed), "%s", jobs[j].why);
		j++;
	}

	struct summary sum;
	summary_build(&sum, a.summary, cal);
	char path[4300], page_title[300];
	snprintf(page_title, sizeof(page_title), "%s", title ? title : "");
	if (!title)
		snprintf(page_title, sizeof(page_title), "ptpcal report \xe2\x80\x94 %.250s", sources);
	struct html_page page = {
		.title = page_title,
		.sources = sources,
		.summary = &sum,
		.cal = cal,
		.figures = figs,
		.nfigures = nfig,
		.no_gnuplot = no_gnuplot,
	};
	snprintf(path, sizeof(path), "%s/report.txt", out);
	FILE *t = fopen(path, "w");
	if (!t) {
		log_err("%s: %s", path, strerror(errno));
		rc = EXIT_USAGE;
	} else {
		fprintf(t, "%s\n", page_title);
		if (no_gnuplot)
			fprintf(t, "\nNOTE: %s\n", no_gnuplot);
		summary_write_text(t, &sum);
		if (cal) {
			fprintf(t, "\nCalibration lines\n");
			summary_calibration_text(t, cal);
		}
		fprintf(t, "\nFigures\n");
		for (size_t i = 0; i < nfig; i++)
			fprintf(t, "  %-14s %s\n", figs[i].name,
				figs[i].rendered ? "rendered (.png, .svg, .gp)"
				: figs[i].made ? (figs[i].failed[0] ? figs[i].failed : "script only (.gp)")
				: figs[i].skipped);
		bool bad = ferror(t);
		if (fclose(t) != 0 || bad) {
			log_err("%s: write error", path);
			rc = EXIT_USAGE;
		}
	}
	snprintf(path, sizeof(path), "%s/index.html", out);
	if (!html_write(path, &page))
		rc = EXIT_USAGE;
	else if (log_verbosity() >= 0)
		printf("%s\n", path);
	summary_free(&sum);
done:
	analysis_in_free(&a);
	if (have_res)
		residence_free(&res);
	jr_free(cal);
	return rc;
}
