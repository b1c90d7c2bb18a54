/* ptpcal setup: write (or show) the guide's configuration for a PTP grandmaster or client,
 * for the installed linuxptp. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>

#include "common/cli.h"
#include "common/commands.h"
#include "common/conf_edit.h"
#include "common/json.h"
#include "common/log.h"
#include "pipeline/fsroot.h"
#include "pipeline/linuxptp_version.h"
#include "pipeline/ptp4l_paths.h"
#include "pipeline/setup_gen.h"

static const char usage[] =
	"usage: ptpcal setup server|client [options]\n"
	"\n"
	"Write the configuration of the GNSS -> ntpsec -> PTP chain (docs/ptpcal.1): ptp4l.conf\n"
	"for a grandmaster (server) or a client, the ptp4l@IFACE drop-in, a full phc2sys@.service\n"
	"override in the right direction, the interrupt-coalescence oneshot unit and the ntpsec\n"
	"lines (leapfile on the server, the SHM refclock on the client). Option names follow the\n"
	"installed linuxptp (`ptp4l -v`): slaveOnly before 4.0, clientOnly from 4.0,\n"
	"ptp_minor_version only from 4.2. Existing files keep their other lines; every change is\n"
	"atomic, backed up beside the file (FILE.ptpcal-DATE) and shown as a unified diff.\n"
	"\n"
	"  -i, --iface IF            network interface (default eth0)\n"
	"      --root DIR            write into the staging tree DIR instead of /\n"
	"      --apply               without --root: really write the files (else only the diff)\n"
	"  -n, --dry-run             show the diff, write nothing\n"
	"      --linuxptp-version V  generate for this version instead of `ptp4l -v`'s\n"
	"      --transport T         L2 (default, as the guide), UDPv4 or UDPv6\n"
	"      --time-stamping M     hardware (default) or software (a NIC without a PHC)\n"
	"      --shm-unit N          client: SHM segment / ntpsec refclock unit (default 2)\n"
	"      --coalesce-usecs N    rx-usecs/tx-usecs for the coalescence unit (default 4)\n"
	"      --leapfile PATH       server: leap-seconds file for ntpsec\n"
	"                            (default /usr/share/zoneinfo/leap-seconds.list)\n"
	"      --time1 SECONDS       client: offset correction for the SHM refclock (ntpsec time1)\n"
	"      --monitor HOST:PORT   also write ptpcal-monitor.service: `ptpcal monitor --listen\n"
	"                            HOST:PORT` for Prometheus (docs/monitor.md)\n"
	"      --json                report as JSON on stdout\n"
	"  -q, --quiet               no diff, only errors\n"
	"  -h, --help                this help\n"
	"\n"
	"Nothing is started or enabled: the next steps (systemctl daemon-reload, enable) are\n"
	"printed. Exit: 0 ok, 1 a file could not be written, 2 bad usage or a broken existing\n"
	"file.\n";

enum { OPT_ROOT = 256, OPT_APPLY, OPT_LPTP, OPT_TRANSPORT, OPT_TS, OPT_SHM, OPT_COAL, OPT_LEAP,
       OPT_TIME1, OPT_JSON, OPT_MONITOR };

struct planned {
	const char *kind;
	char path[4096]; /* where it is written (under the root) */
	char shown[1024]; /* the path on the target system */
	char *old_text, *new_text, *diff;
	bool changed, written;
	char *backup;
};

static bool valid_iface(const char *s)
{
	size_t l = strlen(s);
	if (l == 0 || l > 15)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ' ' || *s == '\t' || *s == '%' || (unsigned char)*s < 0x21)
			return false;
	return true;
}

static void plan_init(struct planned *f, const char *kind, const char *root, const char *abs)
{
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	snprintf(f->shown, sizeof(f->shown), "%s", abs);
	fsroot_path(root, abs, f->path, sizeof(f->path));
}

static void plan_free(struct planned *f)
{
	free(f->old_text);
	free(f->new_text);
	free(f->diff);
	free(f->backup);
}

/* Load f->path for editing; false after an error line. */
static bool plan_load(struct planned *f, struct conf_file *cf)
{
	if (!conf_load(cf, f->path, true))
		return false;
	f->old_text = conf_render(cf);
	return true;
}

static void plan_finish(struct planned *f, char *new_text)
{
	f->new_text = new_text;
	if (!f->old_text)
		f->old_text = xstrdup("");
	f->diff = conf_diff(f->old_text, f->new_text, f->shown);
	f->changed = strcmp(f->old_text, f->new_text) != 0;
}

int cmd_setup(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "apply", no_argument, NULL, OPT_APPLY },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "linuxptp-version", required_argument, NULL, OPT_LPTP },
		{ "transport", required_argument, NULL, OPT_TRANSPORT },
		{ "time-stamping", required_argument, NULL, OPT_TS },
		{ "shm-unit", required_argument, NULL, OPT_SHM },
		{ "coalesce-usecs", required_argument, NULL, OPT_COAL },
		{ "leapfile", required_argument, NULL, OPT_LEAP },
		{ "time1", required_argument, NULL, OPT_TIME1 },
		{ "monitor", required_argument, NULL, OPT_MONITOR },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct setup_params p = {
		.iface = "eth0",
		.transport = "L2",
		.time_stamping = "hardware",
		.shm_unit = 2,
		.coalesce_usecs = 4,
		.leapfile = "/usr/share/zoneinfo/leap-seconds.list",
	};
	const char *root = NULL, *version_arg = NULL;
	bool apply = false, dry_run = false, json = false;
	long lv;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "i:nqvh", opts, NULL)) != -1) {
		switch (c) {
		case 'i': p.iface = optarg; break;
		case OPT_ROOT: root = optarg; break;
		case OPT_APPLY: apply = true; break;
		case 'n': dry_run = true; break;
		case OPT_LPTP: version_arg = optarg; break;
		case OPT_TRANSPORT:
			if (strcmp(optarg, "L2") && strcmp(optarg, "UDPv4") && strcmp(optarg, "UDPv6"))
				return usage_error("--transport: '%s' is not L2, UDPv4 or UDPv6", optarg);
			p.transport = optarg;
			break;
		case OPT_TS:
			if (strcmp(optarg, "hardware") && strcmp(optarg, "software"))
				return usage_error("--time-stamping: '%s' is not hardware or software", optarg);
			p.time_stamping = optarg;
			break;
		case OPT_SHM:
			if (!parse_int_arg("--shm-unit", optarg, 0, 255, &lv))
				return EXIT_USAGE;
			p.shm_unit = (int)lv;
			break;
		case OPT_COAL:
			if (!parse_int_arg("--coalesce-usecs", optarg, 0, 100000, &lv))
				return EXIT_USAGE;
			p.coalesce_usecs = (int)lv;
			break;
		case OPT_LEAP:
			if (optarg[0] != '/')
				return usage_error("--leapfile: '%s' is not an absolute path", optarg);
			p.leapfile = optarg;
			break;
		case OPT_TIME1: {
			char *end;
			errno = 0;
			double t = strtod(optarg, &end);
			if (end == optarg || *end || errno || t < -1.0 || t > 1.0)
				return usage_error("--time1: '%s' is not an offset in seconds (|x| < 1)", optarg);
			p.have_time1 = true;
			snprintf(p.time1, sizeof(p.time1), "%s", optarg);
			break;
		}
		case OPT_MONITOR: {
			/* checked as the monitor will read it, without binding it here */
			const char *colon = strrchr(optarg, ':');
			char *end;
			long port = colon ? strtol(colon + 1, &end, 10) : 0;
			if (!colon || !colon[1] || *end || port < 1 || port > 65535 ||
			    strpbrk(optarg, " \t\n\\%"))
				return usage_error("--monitor: '%s' is not HOST:PORT (127.0.0.1:9477)", optarg);
			p.monitor_listen = optarg;
			break;
		}
		case OPT_JSON: json = true; break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind >= argc)
		return usage_error("say server or client");
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	if (strcmp(argv[optind], "server") == 0)
		p.role = SETUP_SERVER;
	else if (strcmp(argv[optind], "client") == 0)
		p.role = SETUP_CLIENT;
	else
		return usage_error("'%s' is not server or client", argv[optind]);
	if (!valid_iface(p.iface))
		return usage_error("--iface: '%s' is not an interface name", p.iface);
	if (p.role == SETUP_SERVER && p.have_time1)
		return usage_error("--time1 is for the client's SHM refclock");
	if (root) {
		struct stat st;
		if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
			log_err("%s: --root is not a directory", root);
			return EXIT_USAGE;
		}
	}
	const char *version_source = "ptp4l -v";
	if (version_arg) {
		if (!lptp_version_parse(version_arg, &p.ver))
			return usage_error("--linuxptp-version: '%s' is not a version like 3.1.1 or 4.4",
					   version_arg);
		version_source = "--linuxptp-version";
	} else {
		char err[256];
		if (!lptp_version_detect(NULL, &p.ver, err, sizeof(err))) {
			log_err("%s", err);
			return EXIT_USAGE;
		}
	}
	char vbuf[32];
	lptp_version_str(&p.ver, vbuf, sizeof(vbuf));
	if (p.ver.major < 3 || p.ver.major > 4)
		log_warn("linuxptp %s: only 3.x and 4.x were checked; writing the 4.x spelling", vbuf);
	if (p.role == SETUP_CLIENT && p.shm_unit < 2)
		log_warn("--shm-unit %d: ntpsec makes units 0 and 1 root-only (refclock_shm.c), and "
			 "ntpsec runs as its own user; the guide's 2 avoids that", p.shm_unit);

	bool write = !dry_run && (root || apply);
	struct notes notes = { NULL, 0 };
	struct planned files[6];
	size_t nf = 0;
	int rc = EXIT_OK;
	char abs[1024], name[128];
	struct conf_file cf;

	/* 1. ptp4l.conf */
	ptp4l_conf_path(root, p.iface, abs, sizeof(abs));
	plan_init(&files[nf], "ptp4l.conf", root, abs);
	if (!plan_load(&files[nf], &cf))
		return EXIT_USAGE;
	if (!conf_ptp4l_validate(&cf)) {
		log_err("%s: fix the file first (ptp4l would refuse it too); nothing changed",
			files[nf].path);
		conf_free(&cf);
		free(files[nf].old_text);
		return EXIT_USAGE;
	}
	setup_edit_ptp4l(&cf, &p, &notes);
	plan_finish(&files[nf++], conf_render(&cf));
	conf_free(&cf);

	/* 2. the ptp4l@IFACE drop-in (what `systemctl edit ptp4l@IFACE.service` creates) */
	snprintf(abs, sizeof(abs), "/etc/systemd/system/ptp4l@%s.service.d/override.conf", p.iface);
	plan_init(&files[nf], "ptp4l-dropin", root, abs);
	if (!plan_load(&files[nf], &cf))
		goto out_usage;
	setup_edit_ptp4l_dropin(&cf, &p);
	plan_finish(&files[nf++], conf_render(&cf));
	conf_free(&cf);

	/* 3. the full phc2sys@.service override (systemctl edit --full) */
	plan_init(&files[nf], "phc2sys-unit", root, "/etc/systemd/system/phc2sys@.service");
	if (!plan_load(&files[nf], &cf))
		goto out_usage;
	conf_free(&cf);
	plan_finish(&files[nf++], setup_phc2sys_unit(&p));

	/* 4. the coalescence oneshot */
	snprintf(abs, sizeof(abs), "/etc/systemd/system/%s",
		 setup_coalescence_name(&p, name, sizeof(name)));
	plan_init(&files[nf], "coalescence-unit", root, abs);
	if (!plan_load(&files[nf], &cf))
		goto out_usage;
	conf_free(&cf);
	plan_finish(&files[nf++], setup_coalescence_unit(&p));

	/* 5. ntpsec */
	plan_init(&files[nf], "ntp.conf", root, "/etc/ntpsec/ntp.conf");
	if (!plan_load(&files[nf], &cf))
		goto out_usage;
	setup_edit_ntpconf(&cf, &p, &notes);
	plan_finish(&files[nf++], conf_render(&cf));
	conf_free(&cf);

	/* 6. ptpcal monitor as a service */
	char exe[4096];
	if (p.monitor_listen) {
		if (!realpath("/proc/self/exe", exe))
			snprintf(exe, sizeof(exe), "/usr/local/bin/ptpcal");
		p.ptpcal_exe = exe;
		plan_init(&files[nf], "monitor-unit", root, "/etc/systemd/system/" SETUP_MONITOR_UNIT);
		if (!plan_load(&files[nf], &cf))
			goto out_usage;
		conf_free(&cf);
		plan_finish(&files[nf++], setup_monitor_unit(&p));
	}

	if (write) {
		for (size_t i = 0; i < nf; i++) {
			if (!files[i].changed)
				continue;
			if (fsroot_mkdir_parents(files[i].path) != 0) {
				log_err("%s: cannot create its directory: %s", files[i].path, strerror(errno));
				rc = EXIT_FAILED;
				break;
			}
			bool changed;
			if (conf_write_atomic(files[i].path, files[i].new_text, &changed,
					      &files[i].backup) != 0) {
				rc = EXIT_FAILED;
				break;
			}
			files[i].written = changed;
		}
	}

	char steps[7][256];
	int nsteps = 6;
	snprintf(steps[0], sizeof(steps[0]), "systemctl daemon-reload");
	snprintf(steps[1], sizeof(steps[1]), "systemctl enable --now %s", name);
	snprintf(steps[2], sizeof(steps[2]), "systemctl enable --now ptp4l@%s.service", p.iface);
	snprintf(steps[3], sizeof(steps[3]), "systemctl enable --now phc2sys@%s.service", p.iface);
	snprintf(steps[4], sizeof(steps[4]), "systemctl restart ntpsec");
	snprintf(steps[5], sizeof(steps[5]), "ptpcal verify %s",
		 p.role == SETUP_SERVER ? "server" : "client");
	if (p.monitor_listen)
		snprintf(steps[nsteps++], sizeof(steps[6]), "systemctl enable --now " SETUP_MONITOR_UNIT);
	bool any_written = false;
	for (size_t i = 0; i < nf; i++)
		any_written |= files[i].written;

	if (json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "schema", "ptpcal-setup/1");
		json_str(&j, "role", p.role == SETUP_SERVER ? "server" : "client");
		json_str(&j, "iface", p.iface);
		json_str(&j, "linuxptp_version", vbuf);
		json_str(&j, "version_source", version_source);
		json_str(&j, "root", root ? root : "/");
		json_bool(&j, "write", write);
		json_arr_begin(&j, "files");
		for (size_t i = 0; i < nf; i++) {
			json_obj_begin(&j, NULL);
			json_str(&j, "kind", files[i].kind);
			json_str(&j, "path", files[i].shown);
			json_str(&j, "written_to", files[i].path);
			json_bool(&j, "changed", files[i].changed);
			json_bool(&j, "written", files[i].written);
			json_str(&j, "backup", files[i].backup);
			json_str(&j, "diff", files[i].diff);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_arr_begin(&j, "notes");
		for (size_t i = 0; i < notes.n; i++)
			json_str(&j, NULL, notes.v[i]);
		json_arr_end(&j);
		json_arr_begin(&j, "next_steps");
		for (int i = 0; i < nsteps; i++)
			json_str(&j, NULL, steps[i]);
		json_arr_end(&j);
		json_obj_end(&j);
		json_finish(&j);
	} else if (log_verbosity() >= 0) {
		printf("ptpcal setup %s for %s, linuxptp %s (from %s)%s%s\n",
		       p.role == SETUP_SERVER ? "server" : "client", p.iface, vbuf, version_source,
		       root ? ", root " : "", root ? root : "");
		for (size_t i = 0; i < nf; i++)
			fputs(files[i].diff, stdout);
		for (size_t i = 0; i < nf; i++) {
			const char *state = !files[i].changed ? "unchanged"
					    : files[i].written ? "written"
							       : "would change";
			printf("  %-12s %s", state, files[i].path);
			if (files[i].backup)
				printf(" (backup %s)", files[i].backup);
			putchar('\n');
		}
		for (size_t i = 0; i < notes.n; i++)
			printf("note: %s\n", notes.v[i]);
		bool any = false;
		for (size_t i = 0; i < nf; i++)
			any |= files[i].changed;
		if (!write && any)
			printf("nothing written: %s\n",
			       dry_run ? "--dry-run" : "run again with --apply to write these files");
		else if (any_written && rc == EXIT_OK) {
			printf("next steps (ptpcal starts nothing):\n");
			for (int i = 0; i < nsteps; i++)
				printf("  %s\n", steps[i]);
		}
	}
	for (size_t i = 0; i < nf; i++)
		plan_free(&files[i]);
	notes_free(&notes);
	return rc;
out_usage:
	for (size_t i = 0; i < nf; i++)
		plan_free(&files[i]);
	free(files[nf].old_text);
	notes_free(&notes);
	return EXIT_USAGE;
}
