/* ptpcal lab health (see lab_health.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cli.h"
#include "common/dataset.h"
#include "common/json.h"
#include "common/log.h"
#include "common/numfmt.h"
#include "lab/infile.h"
#include "lab/lab_health.h"
#include "lab/runstats.h"

/* Mean send error per egress port and event-message type: what moves a port's realised delay
 * away from the model (lab_health.h LAB_MEAN_LIMIT_NS). A lab has a handful of ports. */
#define MAX_GROUPS 64
struct mean_group {
	char name[48];
	double sum;
	uint64_t n;
};

static bool is_event(const char *type)
{
	return !strcmp(type, "Sync") || !strcmp(type, "Delay_Req") || !strcmp(type, "Pdelay_Req") ||
	       !strcmp(type, "Pdelay_Resp");
}

static void group_add(struct mean_group *g, size_t *ng, const char *out, const char *type, double e)
{
	char name[48];
	snprintf(name, sizeof(name), "%s %s", out, type);
	size_t i = 0;
	while (i < *ng && strcmp(g[i].name, name))
		i++;
	if (i == *ng) {
		if (*ng == MAX_GROUPS)
			i = MAX_GROUPS - 1; /* more ports than any lab: the last group takes the rest */
		else
			snprintf(g[(*ng)++].name, sizeof(g[i].name), "%s", name);
	}
	g[i].sum += e;
	g[i].n++;
}

int lab_health_read(const char *frames_path, struct lab_health *h)
{
	memset(h, 0, sizeof(*h));
	struct infile f;
	if (!infile_open(&f, frames_path))
		return -1;
	struct ds_reader *r = ds_open(f.path, "switch-frames");
	if (!r) {
		infile_close(&f, frames_path);
		return -1;
	}
	int c_err = ds_require_col(r, "sched_error_ns"), c_fate = ds_require_col(r, "fate");
	int c_out = ds_col(r, "out"), c_type = ds_col(r, "type"); /* optional: else one group */
	bool ok = c_err >= 0 && c_fate >= 0;
	struct runstats rs = { 0 };
	struct mean_group groups[MAX_GROUPS] = { 0 };
	size_t ng = 0;
	int rc;
	while (ok && (rc = ds_next(r)) != 0) {
		if (rc < 0) {
			ok = false;
			break;
		}
		if (strcmp(ds_field(r, c_fate), "sent"))
			continue;
		double e;
		if (!ds_get_double(r, c_err, &e)) { /* it says why */
			ok = false;
			break;
		}
		if (!isfinite(e)) {
			ds_error(r, "sched_error_ns '%s' of a sent frame is not finite", ds_field(r, c_err));
			ok = false;
			break;
		}
		runstats_add(&rs, e);
		if (c_out < 0 || c_type < 0)
			group_add(groups, &ng, "all", "frames", e);
		else if (is_event(ds_field(r, c_type)))
			group_add(groups, &ng, ds_field(r, c_out), ds_field(r, c_type), e);
		h->frames++;
		if (e > LAB_LATE_NS)
			h->late++;
		else if (e < -LAB_LATE_NS)
			h->early++;
	}
	ok = ok && !ds_failed(r);
	ds_reader_close(r);
	if (infile_close(&f, frames_path) != 0)
		ok = false;
	if (ok && h->frames == 0) {
		log_err("%s: the switch sent no frames", frames_path);
		ok = false;
	}
	if (ok) {
		h->p1_ns = runstats_pct(&rs, 1);
		h->p50_ns = runstats_pct(&rs, 50);
		h->p99_ns = runstats_pct(&rs, 99);
		h->min_ns = rs.min;
		h->max_ns = rs.max;
		for (size_t i = 0; i < ng; i++) {
			double m = groups[i].sum / (double)groups[i].n;
			if (groups[i].n >= LAB_MEAN_MIN_FRAMES &&
			    (!h->worst_group[0] || fabs(m) > fabs(h->worst_mean_ns))) {
				h->worst_mean_ns = m;
				_Static_assert(sizeof(h->worst_group) == sizeof(groups[i].name), "");
				memcpy(h->worst_group, groups[i].name, sizeof(h->worst_group));
			}
		}
		h->kept_time = (double)(h->late + h->early) <=
				       LAB_LATE_FRACTION_LIMIT * (double)h->frames &&
			       h->p99_ns <= LAB_P99_LIMIT_NS && h->p1_ns >= -LAB_P99_LIMIT_NS &&
			       fabs(h->worst_mean_ns) <= LAB_MEAN_LIMIT_NS;
	}
	runstats_free(&rs);
	return ok ? 0 : -1;
}

void lab_health_describe(const struct lab_health *h, char *buf, size_t len)
{
	char a[32], b[32], c[32], d[32];
	snprintf(buf, len, "%s: %.1f %% of %llu frames late by > %s; send error p50 %s, p99 %s, "
		 "max %s", h->kept_time ? "kept time" : "could not keep time",
		 100.0 * (double)h->late / (double)(h->frames ? h->frames : 1),
		 (unsigned long long)h->frames, fmt_si_time(LAB_LATE_NS, a, sizeof(a)),
		 fmt_si_time(h->p50_ns, b, sizeof(b)), fmt_si_time(h->p99_ns, c, sizeof(c)),
		 fmt_si_time(h->max_ns, d, sizeof(d)));
	size_t l = strlen(buf);
	if (h->worst_group[0] && l < len)
		snprintf(buf + l, len - l, ", mean of %s %s", h->worst_group,
			 fmt_si_time(h->worst_mean_ns, b, sizeof(b)));
	l = strlen(buf);
	if (h->early && l < len)
		snprintf(buf + l, len - l, ", %.1f %% early by > %s, p1 %s, min %s",
			 100.0 * (double)h->early / (double)(h->frames ? h->frames : 1), a,
			 fmt_si_time(h->p1_ns, b, sizeof(b)), fmt_si_time(h->min_ns, c, sizeof(c)));
}

static const char usage[] =
	"usage: ptpcal lab health [--json] DIR|FRAMES.tsv\n"
	"\n"
	"Whether a lab run's emulated switch kept time: from its per-frame log (DIR/switch/\n"
	"frames.tsv of 'ptpcal lab run', the switch_log a dataset's manifest names, or the file),\n"
	"how late (or early) frames left against their due time. A switch that fell behind (a\n"
	"machine loaded beyond its cores) did not realise the delays it was given: its statistics\n"
	"are the machine's, not the lab's.\n"
	"\n"
	"      --json     the figures as JSON on stdout\n"
	"  -h, --help\n"
	"\n"
	"Kept time: at most 5 % of frames more than 50 us late or early, the 1st and 99th\n"
	"percentiles of the send error within +-250 us, and the mean send error of every egress\n"
	"port's event messages of one type (Sync, Delay_Req, Pdelay_*; 20 frames or more) within\n"
	"+-20 us: a few frames late by milliseconds move a port's realised delay that far.\n"
	"Exit: 0 kept time, 1 not, 2 bad usage or input.\n";

/* The switch log of a lab directory: its manifest's switch_log, else switch/frames.tsv. */
static bool find_log(const char *dir, char *out, size_t len)
{
	char mp[4200];
	snprintf(mp, sizeof(mp), "%s/manifest.tsv", dir);
	struct stat st;
	if (stat(mp, &st) == 0) {
		struct ds_reader *man = ds_open(mp, "lab");
		if (!man)
			return false;
		const char *sl = ds_meta_get(man, "switch_log");
		bool have = sl && strcmp(sl, "-");
		if (have && sl[0] == '/')
			snprintf(out, len, "%s", sl);
		else if (have)
			snprintf(out, len, "%s/%s", dir, sl); /* relative to the lab directory */
		else
			log_err("%s: names no switch log", mp);
		ds_reader_close(man);
		return have;
	}
	snprintf(out, len, "%s/switch/frames.tsv", dir);
	if (stat(out, &st) != 0) {
		log_err("%s: no manifest.tsv nor switch/frames.tsv: not a lab directory", dir);
		return false;
	}
	return true;
}

int lab_health_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind + 1 != argc)
		return usage_error(optind == argc ? "no lab directory or switch log" :
				   "one lab directory or switch log");
	const char *arg = argv[optind];
	char path[4200];
	struct stat st;
	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!find_log(arg, path, sizeof(path)))
			return EXIT_USAGE;
	} else {
		snprintf(path, sizeof(path), "%s", arg);
	}
	struct lab_health h;
	if (lab_health_read(path, &h) != 0)
		return EXIT_USAGE;
	if (json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "switch_log", path);
		json_int(&j, "frames", (int64_t)h.frames);
		json_int(&j, "late", (int64_t)h.late);
		json_num(&j, "late_limit_ns", LAB_LATE_NS);
		json_num(&j, "late_fraction", (double)h.late / (double)h.frames);
		json_num(&j, "send_error_p50_ns", h.p50_ns);
		json_num(&j, "send_error_p99_ns", h.p99_ns);
		json_num(&j, "send_error_max_ns", h.max_ns);
		json_int(&j, "early", (int64_t)h.early);
		json_num(&j, "early_fraction", (double)h.early / (double)h.frames);
		json_num(&j, "send_error_p1_ns", h.p1_ns);
		json_num(&j, "send_error_min_ns", h.min_ns);
		json_str(&j, "worst_mean_group", h.worst_group);
		json_num(&j, "worst_mean_send_error_ns", h.worst_mean_ns);
		json_num(&j, "mean_limit_ns", LAB_MEAN_LIMIT_NS);
		json_bool(&j, "kept_time", h.kept_time);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		char buf[256];
		lab_health_describe(&h, buf, sizeof(buf));
		printf("%s\n", buf);
	}
	return h.kept_time ? EXIT_OK : EXIT_FAILED;
}
