/* ptpcal doctor: the guide's troubleshooting as checks. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cli.h"
#include "common/commands.h"
#include "common/log.h"
#include "pipeline/doctor.h"
#include "pipeline/sysview.h"

static const char usage[] =
	"usage: ptpcal doctor [--root DIR] [--outputs DIR] [-i IF] [--json]\n"
	"\n"
	"The troubleshooting section of the GNSS -> ntpsec -> PTP guide as checks: duplicate\n"
	"ptp4l/phc2sys processes, stray non-templated ptp4l/phc2sys units, drop-ins that try to\n"
	"reset dependencies, the vendor phc2sys@.service without a full override, ptp4l.conf\n"
	"options the installed linuxptp refuses, the ntpshm servo inside ptp4l, a missing PHC,\n"
	"receive filters that do not fit network_transport (ethtool -T), interrupt coalescence\n"
	"above the target (ethtool -c), ntpsec's leapfile, the SHM refclock (time2 is not an\n"
	"offset; its unit must match phc2sys -M), and `dpkg -V linuxptp`. Each finding names the\n"
	"file and line and the fix.\n"
	"\n"
	"  --root DIR           check a staging tree instead of / (commands are then not run)\n"
	"  --outputs DIR        recorded command outputs to use instead of running them:\n"
	"                       ps.txt (ps -eo pid,args), ethtool-T-IF.txt, ethtool-c-IF.txt,\n"
	"                       ethtool-i-IF.txt, dpkg-V-linuxptp.txt\n"
	"  -i, --iface IF       the PTP interface (default: from the running ptp4l, else eth0)\n"
	"      --linuxptp-version V  the installed linuxptp (default: ptp4l -v, if not --root)\n"
	"      --coalesce-usecs N    the coalescence target (default 4)\n"
	"      --ntp-conf PATH  ntpsec's configuration (default /etc/ntpsec/ntp.conf)\n"
	"      --json           results as JSON\n"
	"  -v, --verbose        say why each check passed\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit: 0 nothing found, 1 a check failed (or warned), 2 bad usage.\n";

enum { OPT_ROOT = 256, OPT_OUT, OPT_LPTP, OPT_COAL, OPT_NTP, OPT_JSON };

/* The interface of the running ptp4l (-i), if exactly one runs. */
static const char *guess_iface(const struct sysview *sv, char *buf, size_t len)
{
	struct proc_entry *p;
	char why[256];
	int n = sv_processes(sv, &p, why, sizeof(why));
	const char *found = NULL;
	for (int i = 0; i < n; i++) {
		if (strcmp(p[i].name, "ptp4l") != 0 || p[i].other_netns)
			continue;
		const char *s = strstr(p[i].args, " -i ");
		if (s) {
			s += 4;
			size_t l = strcspn(s, " ");
			if (l && l < len) {
				snprintf(buf, len, "%.*s", (int)l, s);
				found = buf;
				break;
			}
		}
	}
	if (n > 0)
		sv_free_processes(p, n);
	return found;
}

void doctor_all(const struct doctor_opts *o, struct checks *cs)
{
	doctor_processes(o, cs);
	doctor_units(o, cs);
	doctor_boot(o, cs);
	doctor_ptp4l_conf(o, cs);
	doctor_nic(o, cs);
	doctor_ntp(o, cs);
	doctor_dpkg(o, cs);
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "outputs", required_argument, NULL, OPT_OUT },
		{ "iface", required_argument, NULL, 'i' },
		{ "linuxptp-version", required_argument, NULL, OPT_LPTP },
		{ "coalesce-usecs", required_argument, NULL, OPT_COAL },
		{ "ntp-conf", required_argument, NULL, OPT_NTP },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct doctor_opts o = { .coalesce_target_us = 4, .ntp_conf = "/etc/ntpsec/ntp.conf" };
	const char *version = NULL;
	bool json = false, verbose = false;
	long lv;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "i:vqh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT: o.sv.root = optarg; break;
		case OPT_OUT: o.sv.outputs = optarg; break;
		case 'i': o.iface = optarg; break;
		case OPT_LPTP: version = optarg; break;
		case OPT_COAL:
			if (!parse_int_arg("--coalesce-usecs", optarg, 0, 100000, &lv))
				return EXIT_USAGE;
			o.coalesce_target_us = (int)lv;
			break;
		case OPT_NTP:
			if (optarg[0] != '/')
				return usage_error("--ntp-conf: '%s' is not an absolute path", optarg);
			o.ntp_conf = optarg;
			break;
		case OPT_JSON: json = true; break;
		case 'v': verbose = true; break;
		case 'q': log_set_verbosity(-1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	struct stat st;
	if (o.sv.root && (stat(o.sv.root, &st) != 0 || !S_ISDIR(st.st_mode))) {
		log_err("%s: --root is not a directory", o.sv.root);
		return EXIT_USAGE;
	}
	if (o.sv.outputs && (stat(o.sv.outputs, &st) != 0 || !S_ISDIR(st.st_mode))) {
		log_err("%s: --outputs is not a directory", o.sv.outputs);
		return EXIT_USAGE;
	}
	if (version) {
		if (!lptp_version_parse(version, &o.ver))
			return usage_error("--linuxptp-version: '%s' is not a version", version);
		o.have_ver = true;
	} else if (!o.sv.root) {
		char err[256];
		o.have_ver = lptp_version_detect(NULL, &o.ver, err, sizeof(err));
		if (!o.have_ver)
			log_note("%s", err);
	}
	char ifbuf[64];
	if (!o.iface)
		o.iface = guess_iface(&o.sv, ifbuf, sizeof(ifbuf));
	if (!o.iface)
		o.iface = "eth0";

	struct checks cs = { NULL, 0 };
	doctor_all(&o, &cs);
	bool failed = checks_failed(&cs, true);
	if (json)
		checks_print_json(&cs, "ptpcal-doctor/1", o.sv.root ? o.sv.root : "/", failed);
	else
		checks_print_text(&cs, verbose);
	checks_free(&cs);
	return failed ? EXIT_FAILED : EXIT_OK;
}
