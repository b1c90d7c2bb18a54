/* ptpcal lab: the front of the lab. The parts that must be fast and exact are C subcommands
 * here (the emulated switch, the replay of a lab dataset against its truth); bringing
 * namespaces, veth pairs and daemons up and down is shell (scripts/lab), which this runs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/commands.h"
#include "common/log.h"
#include "lab/lab_health.h"
#include "lab/replay.h"
#include "lab/switch.h"

static const char usage[] =
	"usage: ptpcal lab COMMAND [options]\n"
	"\n"
	"A PTP lab on one machine: a grandmaster and clients in network namespaces, joined\n"
	"through an emulated switch with known per-direction delays (and optionally a transparent\n"
	"clock), real ptp4l (free_running: the host clock is never touched, so the true offset\n"
	"is zero and every measured bias is path asymmetry), captures and logs written as a\n"
	"dataset with its truth. Needs root.\n"
	"\n"
	"  run [options]        bring a lab up, measure for --duration, write the dataset, tear\n"
	"                       everything down (also on Ctrl-C and on failure)\n"
	"  up [options]         bring a lab up and leave it running (prints its name)\n"
	"  down NAME|DIR        stop a lab's processes (by PID) and delete its namespaces\n"
	"  exec NAME NODE CMD   run CMD in a lab namespace (NODE: gm, sw, cl1, cl2, ...)\n"
	"  status [NAME]        list running labs, or one lab's nodes and interfaces\n"
	"  switch [options]     the emulated switch itself (runs in the switch namespace)\n"
	"  replay DIR           recompute a lab dataset's exchanges and bias, check them against\n"
	"                       its truth (what CI does with datasets/)\n"
	"  health DIR           whether the run's emulated switch kept time (how late frames\n"
	"                       left against their due time)\n"
	"\n"
	"'ptpcal lab COMMAND --help' for a command's options. Topology, names and datasets:\n"
	"docs/lab.md.\n";

/* The lab script: $PTPCAL_LAB_SCRIPT if set, else found from the executable's real path
 * (/proc/self/exe, symlinks resolved) by walking up its directories: the first that holds
 * scripts/lab (the source tree: build/ptpcal, build/asan/ptpcal, build/clang/ptpcal) or
 * share/ptpcal/scripts/lab (`make install`: PREFIX/bin/ptpcal) wins. NULL if none; the
 * executable's path is left in exe. */
static const char *find_script(char *buf, size_t len, char *exe, size_t exelen)
{
	const char *env = getenv("PTPCAL_LAB_SCRIPT");
	if (env && *env)
		return env;
	ssize_t n = readlink("/proc/self/exe", exe, exelen - 1);
	if (n <= 0) {
		snprintf(exe, exelen, "/proc/self/exe");
		return NULL;
	}
	exe[n] = 0;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", exe);
	static const char *const rel[] = { "scripts/lab", "share/ptpcal/scripts/lab" };
	for (;;) {
		char *slash = strrchr(dir, '/');
		if (!slash)
			return NULL;
		*slash = 0; /* dir is now the parent ("" for /) */
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			snprintf(buf, len, "%s/%s", dir, rel[i]);
			if (access(buf, R_OK) == 0)
				return buf;
		}
		if (!dir[0])
			return NULL;
	}
}

static int run_script(int argc, char **argv)
{
	char buf[PATH_MAX + 64], self[PATH_MAX], exe[PATH_MAX];
	const char *script = find_script(buf, sizeof(buf), exe, sizeof(exe));
	if (!script) {
		log_err("cannot find scripts/lab or share/ptpcal/scripts/lab in any directory above "
			"%s (set PTPCAL_LAB_SCRIPT)", exe);
		return EXIT_USAGE;
	}
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = 0;
		setenv("PTPCAL", self, 0);
	}
	char **args = xcalloc((size_t)argc + 3, sizeof(char *));
	args[0] = (char *)"sh";
	args[1] = (char *)script;
	for (int i = 0; i < argc; i++)
		args[i + 2] = argv[i];
	fflush(NULL);
	execv("/bin/sh", args);
	log_err("/bin/sh: %s", strerror(errno));
	free(args);
	return EXIT_INTERNAL;
}

int cmd_lab(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("which lab command? (run, up, down, exec, status, switch, replay, health)");
	const char *sub = argv[1];
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (!strcmp(sub, "switch")) {
		log_set_command("lab switch");
		return lab_switch_main(argc - 1, argv + 1);
	}
	if (!strcmp(sub, "replay")) {
		log_set_command("lab replay");
		return lab_replay_main(argc - 1, argv + 1);
	}
	if (!strcmp(sub, "health")) {
		log_set_command("lab health");
		return lab_health_main(argc - 1, argv + 1);
	}
	if (!strcmp(sub, "run") || !strcmp(sub, "up") || !strcmp(sub, "down") ||
	    !strcmp(sub, "exec") || !strcmp(sub, "status"))
		return run_script(argc - 1, argv + 1);
	return usage_error("unknown lab command '%s' (run, up, down, exec, status, switch, replay, health)",
			   sub);
}
