/* ptpcal: measure and calibrate PTP / NTP time synchronisation.
 *
 * The one front end: a table of subcommands (as git and iproute2 do), each a function with
 * its own usage text. Exit codes: 0 ok, 1 a check failed, 2 bad usage or input. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/commands.h"
#include "common/log.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

/* Grouped for the overview: an entry without a function is a group heading. */
static const struct command commands[] = {
	{ "measure (capture, clock sources, logs)", NULL, NULL },
	{ "capture", cmd_capture, "decode PTP from a pcap/pcapng file or an interface into exchanges" },
	{ "phc", cmd_phc, "PTP hardware clock: compare with CLOCK_REALTIME (and TAI - UTC), record, caps" },
	{ "pps", cmd_pps, "record a PPS device (RFC 2783) to a dataset" },
	{ "extts", cmd_extts, "record a PHC's external timestamps; periodic output" },
	{ "truth", cmd_truth, "PPS/EXTTS edges + PHC readings -> true offset per second (truth dataset)" },
	{ "gnss", cmd_gnss, "record gpsd's fix, satellites, PPS/TOFF and GNSS health (libgps)" },
	{ "shm", cmd_shm, "NTP SHM refclock segments: watch them like ntpshmmon, or feed one" },
	{ "import", cmd_import, "ptp4l / phc2sys / chrony / ntpsec logs into a servo dataset" },
	{ "leap", cmd_leap, "leap-seconds.list: TAI-UTC now, expiry, announced leap (as ntpd reads it)" },
	{ "analyse and report", NULL, NULL },
	{ "analyze", cmd_analyze, "statistics of exchanges: distributions, settling, bias and asymmetry vs a truth" },
	{ "report", cmd_report, "plots (gnuplot PNG/SVG) and an HTML report of an analysis" },
	{ "calibrate", NULL, NULL },
	{ "calibrate", cmd_calibrate, "bias against a reference -> corrections for ptp4l, ntpsec, ntpd, chrony (--apply)" },
	{ "set up and run the chain of the guide", NULL, NULL },
	{ "setup", cmd_setup, "write the GNSS/ntpsec/PTP configuration for this linuxptp (server|client)" },
	{ "verify", cmd_verify, "check the running PTP/ntpsec chain (server|client): PASS/FAIL/SKIP with remedies" },
	{ "doctor", cmd_doctor, "diagnose a PTP/ntpsec set-up: the guide's troubleshooting as checks" },
	{ "sync", cmd_sync, "the chain end to end (lab, or host via systemd): measure, calibrate, apply, redo" },
	{ "watchdog", cmd_watchdog, "demote the grandmaster (clockClass 7, 52) when gpsd loses fix or PPS; restore it" },
	{ "monitor", cmd_monitor, "follow ptp4l, SHM, gpsd, ntpsec continuously; Prometheus /metrics or textfile" },
	{ "pmc", cmd_pmc, "ask ptp4l over its management socket (GET datasets, SET GRANDMASTER_SETTINGS_NP)" },
	{ "lab", NULL, NULL },
	{ "lab", cmd_lab, "PTP lab: namespaces, emulated switch, real ptp4l, datasets with truth" },
	{ "validate-switch", cmd_validate_switch, "two-point switch test: latency, PDV, asymmetry, TC error" },
	{ "other", NULL, NULL },
	{ "help", cmd_help, "list the commands, or show one command's help" },
	{ "version", cmd_version, "print the version" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].run && strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void overview(FILE *f)
{
	fprintf(f, "usage: ptpcal [--version] [--help] COMMAND [ARGS]\n\n"
		   "Measure and calibrate precision time synchronisation (PTP / IEEE 1588, NTP).\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (!commands[i].run)
			fprintf(f, "\n%s:\n", commands[i].name);
		else
			fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
	}
	fprintf(f, "\n'ptpcal help COMMAND' or 'ptpcal COMMAND --help' for a command's options.\n"
		   "Exit codes: 0 success, 1 a check failed or a calibration was refused,\n"
		   "2 bad usage or bad input, 3 internal error.\n");
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		overview(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		overview(stdout);
		return EXIT_OK;
	}
	const struct command *c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "ptpcal: unknown command '%s' (see 'ptpcal help')\n", argv[1]);
		return EXIT_USAGE;
	}
	char *args[] = { (char *)c->name, (char *)"--help", NULL };
	log_set_command(c->name);
	return c->run(2, args);
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("ptpcal %s\n", PTPCAL_VERSION);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	opterr = 0; /* options are reported by cli_bad_option, in one line */
	if (argc < 2) {
		fprintf(stderr, "ptpcal: no command given (see 'ptpcal help')\n");
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
		return cmd_version(0, NULL);
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	const struct command *c = find(name);
	if (!c) {
		fprintf(stderr, "ptpcal: unknown command '%s' (see 'ptpcal help')\n", name);
		return EXIT_USAGE;
	}
	log_set_command(c->name);
	int rc = c->run(argc - 1, argv + 1);
	/* Whatever a command printed must have reached stdout (a full disk, a closed pipe): a
	 * success with lost output is a failure (as gnulib's close_stdout). */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (rc == EXIT_OK) {
			fprintf(stderr, "ptpcal %s: stdout: write error: %s\n", c->name, strerror(errno));
			rc = EXIT_USAGE;
		}
	}
	return rc;
}
