/* ptpcal import FORMAT LOG -o FILE: a time daemon's log into a `servo` dataset. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "capture/log_import.h"
#include "common/cli.h"
#include "common/commands.h"
#include "common/json.h"
#include "common/log.h"

static const char usage[] =
	"usage: ptpcal import FORMAT LOG -o FILE [--json]\n"
	"\n"
	"Turn a time daemon's log into a 'servo' dataset (docs/dataset-format.md): one row per\n"
	"sample (and per summary for linuxptp), offset_ns always local - reference.\n"
	"\n"
	"FORMAT:\n"
	"  ptp4l                'master offset ... s2 freq ... path delay ...' samples and\n"
	"                       'rms ... max ... freq ... delay ...' summaries, with the port state\n"
	"                       (plain -m output, syslog or journal; linuxptp 3.x and 4.x)\n"
	"  phc2sys              'CLOCK phc offset ... s2 freq ... delay ...' and its summaries\n"
	"  chrony               tracking.log, statistics.log, measurements.log or refclocks.log\n"
	"                       (told by the columns), or name it: chrony-tracking,\n"
	"                       chrony-statistics, chrony-measurements, chrony-refclocks\n"
	"  ntpsec-peerstats     ntpd's peerstats (offset negated: ntpd prints reference - local)\n"
	"  ntpsec-loopstats     ntpd's loopstats\n"
	"  ntpsec-rawstats      ntpd's rawstats: t1..t4 of every NTP exchange, offset and delay\n"
	"                       computed as ntpd does\n"
	"\n"
	"  -o, --output FILE    the dataset ('-' for stdout)\n"
	"      --json           counts as JSON on stdout\n"
	"  -q, --quiet, -v, --verbose, -h, --help\n"
	"LOG may be .xz or .gz compressed, or '-' for stdin. Lines of other daemons and messages\n"
	"are skipped; malformed sample lines are counted (and the first few named).\n"
	"Exit: 0 ok, 2 bad usage, unreadable log or no samples in it.\n";

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	bool json = false;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "+o:qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'j': json = true; break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	/* Options may also follow FORMAT and LOG. */
	const char *pos[2];
	int npos = 0;
	while (optind < argc) {
		if (argv[optind][0] == '-' && argv[optind][1]) {
			int before = optind;
			c = getopt_long(argc, argv, "+o:qvh", opts, NULL);
			if (c == -1)
				break;
			switch (c) {
			case 'o': out = optarg; break;
			case 'j': json = true; break;
			case 'q': log_set_verbosity(-1); break;
			case 'v': log_set_verbosity(1); break;
			case 'h': fputs(usage, stdout); return EXIT_OK;
			default: return cli_bad_option(argc, argv);
			}
			if (optind == before)
				optind++;
			continue;
		}
		if (npos == 2)
			return usage_error("unexpected argument '%s'", argv[optind]);
		pos[npos++] = argv[optind++];
	}
	if (npos < 2)
		return usage_error("give FORMAT and LOG");
	enum daemon_log f;
	if (!daemon_log_from_name(pos[0], &f))
		return usage_error("unknown format '%s' (ptp4l, phc2sys, chrony, chrony-tracking, "
				   "chrony-statistics, chrony-measurements, chrony-refclocks, ntpsec-peerstats, "
				   "ntpsec-loopstats, ntpsec-rawstats)", pos[0]);
	if (!out)
		return usage_error("give the dataset with -o FILE");
	if (json && !strcmp(out, "-"))
		return usage_error("-o - and --json cannot both use stdout");
	struct import_stats st;
	int rc = log_import(f, pos[1], out, &st);
	if (json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "schema", "ptpcal-import/1");
		json_str(&j, "format", daemon_log_name(f));
		json_str(&j, "input", pos[1]);
		json_str(&j, "output", out);
		json_bool(&j, "ok", rc == EXIT_OK);
		json_int(&j, "lines", (int64_t)st.lines);
		json_int(&j, "rows", (int64_t)st.rows);
		json_int(&j, "samples", (int64_t)st.samples);
		json_int(&j, "summaries", (int64_t)st.summaries);
		json_int(&j, "port_states", (int64_t)st.port_states);
		json_int(&j, "malformed_lines", (int64_t)st.malformed);
		json_int(&j, "other_daemon_lines", (int64_t)st.skipped_other_daemon);
		json_obj_end(&j);
		json_finish(&j);
	} else if (rc == EXIT_OK) {
		log_note("%s: %llu rows (%llu samples, %llu summaries) from %llu lines, %llu malformed",
			 pos[1], (unsigned long long)st.rows, (unsigned long long)st.samples,
			 (unsigned long long)st.summaries, (unsigned long long)st.lines,
			 (unsigned long long)st.malformed);
	}
	return rc;
}
