/* ptpcal leap: what leap-seconds.list says now (TAI − UTC, expiry, announced leap). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "common/commands.h"
#include "common/json.h"
#include "common/leapfile.h"
#include "common/log.h"

static const char usage[] =
	"usage: ptpcal leap [-f FILE] [--at UNIXTIME] [--warn-days N] [--json]\n"
	"\n"
	"Read the IERS/NIST leap-seconds.list as ntpd does (update and expiry lines, SHA-1 hash)\n"
	"and say TAI - UTC now, when the file expires and whether a leap second is announced.\n"
	"\n"
	"  -f, --file FILE      the list (default " LEAPFILE_DEFAULT ")\n"
	"      --at UNIXTIME    evaluate at this POSIX time instead of now\n"
	"      --warn-days N    warn when it expires within N days (default 30)\n"
	"      --json           the result as JSON on stdout\n"
	"  -q, --quiet, -h, --help\n"
	"Exit: 0 valid, 1 expired, 2 unreadable or malformed file (a bad hash is refused, as ntpd\n"
	"does; a missing one is a warning).\n";

static void iso(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!t || !gmtime_r(&tt, &tm))
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int cmd_leap(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "at", required_argument, NULL, 'a' },
		{ "warn-days", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	int64_t now = (int64_t)time(NULL);
	long warn_days = 30, v;
	bool json = false;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "f:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': path = optarg; break;
		case 'a':
			if (!parse_int_arg("--at", optarg, 0, 4102444800L, &v))
				return EXIT_USAGE;
			now = v;
			break;
		case 'w':
			if (!parse_int_arg("--warn-days", optarg, 0, 3650, &warn_days))
				return EXIT_USAGE;
			break;
		case 'j': json = true; break;
		case 'q': log_set_verbosity(-1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	struct leapfile lf;
	char err[300];
	if (!leapfile_load(path, &lf, err, sizeof(err))) {
		log_err("%s", err);
		return EXIT_USAGE;
	}
	int tai_utc = 0;
	bool known = leapfile_tai_utc(&lf, now, &tai_utc);
	bool expired = leapfile_expired(&lf, now);
	double days_left = lf.expires ? (double)(lf.expires - now) / 86400.0 : 0;
	const struct leap_entry *next = leapfile_next(&lf, now);
	char exp_s[32], upd_s[32], next_s[32], at_s[32];
	iso(lf.expires, exp_s, sizeof(exp_s));
	iso(lf.updated, upd_s, sizeof(upd_s));
	iso(next ? next->since : 0, next_s, sizeof(next_s));
	iso(now, at_s, sizeof(at_s));
	const char *file = path ? path : LEAPFILE_DEFAULT;
	int rc = expired ? EXIT_FAILED : EXIT_OK;
	if (json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "schema", "ptpcal-leap/1");
		json_str(&j, "file", file);
		json_str(&j, "at", at_s);
		if (known)
			json_int(&j, "tai_utc_s", tai_utc);
		else
			json_null(&j, "tai_utc_s");
		json_str(&j, "updated", lf.updated ? upd_s : NULL);
		json_str(&j, "expires", lf.expires ? exp_s : NULL);
		json_bool(&j, "expired", expired);
		json_num(&j, "days_left", lf.expires ? days_left : NAN);
		json_str(&j, "hash", lf.hash == LEAP_HASH_GOOD ? "good" : "none");
		json_int(&j, "entries", lf.n);
		if (next) {
			json_obj_begin(&j, "next_leap");
			json_str(&j, "at", next_s);
			json_int(&j, "tai_utc_s", next->tai_utc);
			json_obj_end(&j);
		} else {
			json_null(&j, "next_leap");
		}
		json_obj_end(&j);
		json_finish(&j);
	} else if (log_verbosity() >= 0) {
		if (known)
			printf("TAI - UTC at %s: %d s\n", at_s, tai_utc);
		else
			printf("TAI - UTC at %s: not in the list (before 1972)\n", at_s);
		printf("%s: updated %s, expires %s (%s), %d entries, SHA-1 %s\n", file, upd_s, exp_s,
		       expired ? "EXPIRED" : "valid", lf.n,
		       lf.hash == LEAP_HASH_GOOD ? "good" : "absent (unverified)");
		if (next)
			printf("announced: TAI - UTC = %d s from %s\n", next->tai_utc, next_s);
	}
	if (expired)
		log_warn("%s expired on %s: it says nothing about leap seconds after that; install a "
			 "current one (Debian: tzdata)", file, exp_s);
	else if (days_left < (double)warn_days)
		log_warn("%s expires in %.0f days (%s)", file, days_left, exp_s);
	if (lf.hash != LEAP_HASH_GOOD)
		log_warn("%s has no '#h' hash line: its contents are unverified", file);
	leapfile_free(&lf);
	return rc;
}
