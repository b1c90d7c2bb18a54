/* ptpcal verify server|client: the guide's "verify" steps as checks against the running
 * chain, through ptp4l's management socket (our own client), the SHM segment, ntpq and the
 * leap-seconds file; never by scraping logs. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/clocksrc.h"
#include "capture/ntpshm.h"
#include "common/ptime.h"
#include "common/cli.h"
#include "common/commands.h"
#include "common/conf_edit.h"
#include "common/leapfile.h"
#include "common/log.h"
#include "pipeline/checks.h"
#include "pipeline/doctor.h"
#include "pipeline/ethtool_parse.h"
#include "pipeline/pmc_client.h"
#include "pipeline/ptp4l_paths.h"
#include "pipeline/sync_host.h"
#include "pipeline/sysview.h"
#include "pipeline/verify_checks.h"

static const char usage[] =
	"usage: ptpcal verify server|client [options]\n"
	"\n"
	"Check the running GNSS -> ntpsec -> PTP chain as the guide's verification steps do,\n"
	"each PASS / WARN / FAIL / SKIP with why and a remedy:\n"
	"  daemons      exactly one ptp4l and one phc2sys, phc2sys in the right direction\n"
	"  management   ptp4l answers on its management socket (ptpcal's own client)\n"
	"  utc-offset   TIME_PROPERTIES_DATA_SET: currentUtcOffset = TAI-UTC of\n"
	"               leap-seconds.list now, PTP timescale, currentUtcOffsetValid\n"
	"  grandmaster  server: it is its own grandmaster with clockClass 6; client: a port in\n"
	"               SLAVE state under a clockClass 6 grandmaster\n"
	"  phc-tai      PHC - UTC = TAI-UTC (skipped without a PHC)\n"
	"  shm          client: SHM samples ticking on the unit phc2sys writes, offset < 1 s\n"
	"  ntpsec-peer  client: ntpsec's system peer is the PTP refclock (ntpq -pn)\n"
	"\n"
	"  -i, --iface IF        the PTP interface (default eth0)\n"
	"  -s, --uds PATH        ptp4l's management socket (default: uds_address of the\n"
	"                        ptp4l.conf ptp4l@.service uses, else /var/run/ptp4l)\n"
	"      --shm-unit N      SHM unit (default: phc2sys@.service's -M, else 2)\n"
	"      --ptp4l-conf PATH ptp4l's configuration (default: the -f of the running ptp4l,\n"
	"                        else the one ptp4l@.service uses); with free_running 1 a\n"
	"                        client's port never reaches SLAVE: grandmaster skips that\n"
	"      --leapfile PATH   leap-seconds file (default /usr/share/zoneinfo/leap-seconds.list)\n"
	"      --phc DEV         the PHC (default: from ethtool -T IF), or a `phc` dataset\n"
	"                        recorded by `ptpcal phc record` (replayed)\n"
	"      --outputs DIR     recorded command outputs instead of running them (ps.txt,\n"
	"                        ethtool-T-IF.txt, ntpq-pn.txt)\n"
	"      --timeout MS      management answer timeout (default 1000)\n"
	"      --json            results as JSON\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit: 0 no check failed (warnings and skips allowed), 1 a check failed, 2 bad usage.\n";

struct vopts {
	bool server;
	const char *iface, *uds, *leapfile, *phc, *ptp4l_conf;
	bool free_running;    /* ptp4l runs with free_running 1 (from fr_where) */
	char fr_where[1100];
	int shm_unit;
	int timeout;
	struct sysview sv;
};

static void check_daemons(const struct vopts *o, struct checks *cs)
{
	struct check *c = check_new(cs, "daemons", "one ptp4l, one phc2sys in the right direction");
	struct proc_entry *p;
	char why[512];
	int n = sv_processes(&o->sv, &p, why, sizeof(why));
	if (n < 0) {
		check_skip(c, "%s", why);
		return;
	}
	struct verify_daemons d;
	verify_count_daemons(p, n, &d);
	sv_free_processes(p, n);
	verify_judge_daemons(c, &d, o->iface, o->server);
}

/* TAI-UTC now from the leap file; false (reason in err) when unusable. */
static bool tai_utc_now(const struct vopts *o, int *tai, bool *expired, char *err, size_t len)
{
	struct leapfile lf;
	if (!leapfile_load(o->leapfile, &lf, err, len))
		return false;
	int64_t now = (int64_t)time(NULL);
	bool ok = leapfile_tai_utc(&lf, now, tai);
	*expired = leapfile_expired(&lf, now);
	leapfile_free(&lf);
	if (!ok)
		snprintf(err, len, "%s: no TAI-UTC for now", o->leapfile);
	return ok;
}

static void check_management(const struct vopts *o, struct checks *cs, struct pmc_uds *u,
			     bool *have_uds)
{
	struct check *mg = check_new(cs, "management", "ptp4l answers on its management socket");
	struct check *utc = check_new(cs, "utc-offset", "currentUtcOffset = TAI-UTC, PTP timescale");
	struct check *gm = check_new(cs, "grandmaster",
				     o->server ? "this node is the clockClass 6 grandmaster"
					       : "a port is SLAVE to a clockClass 6 grandmaster");
	char err[512];
	*have_uds = pmc_uds_open(u, o->uds, 0, err, sizeof(err)) == 0;
	if (!*have_uds) {
		check_fail(mg, "socket", "start ptp4l (systemctl enable --now ptp4l@IF), or give --uds "
				       "with its uds_address", "%s", err);
		check_skip(utc, "no management socket");
		check_skip(gm, "no management socket");
		return;
	}
	struct pmc_time_props tp;
	enum pmc_result r = pmc_get_time_props_ds(u, &tp, o->timeout, err, sizeof(err));
	if (r != PMC_OK) {
		check_fail(mg, o->uds, "is ptp4l running with this uds_address and domainNumber 0?",
			   "%s", err);
		check_skip(utc, "no answer");
		check_skip(gm, "no answer");
		return;
	}
	check_detail(mg, "%s answers", o->uds);

	/* utc-offset */
	int tai = 0;
	bool expired = false;
	bool have_tai = tai_utc_now(o, &tai, &expired, err, sizeof(err));
	verify_judge_utc_offset(utc, &tp, have_tai ? tai : -1, expired, o->leapfile, err, o->server);

	/* grandmaster */
	struct pmc_parent_ds pd;
	r = pmc_get_parent(u, &pd, o->timeout, err, sizeof(err));
	if (r != PMC_OK) {
		check_fail(gm, "GET PARENT_DATA_SET", NULL, "%s", err);
		return;
	}
	struct pmc_answer a;
	struct pmc_default_ds dd;
	bool have_dd = pmc_get(u, PMC_ID_DEFAULT_DATA_SET, &a, o->timeout, err, sizeof(err)) == PMC_OK &&
		       pmc_get_default_ds(a.r.data, a.r.data_len, &dd);
	struct verify_gm g = { .server = o->server, .parent = &pd, .dflt = have_dd ? &dd : NULL,
			       .free_running = o->free_running, .fr_where = o->fr_where };
	struct pmc_port_ds ports[8];
	if (!o->server) {
		/* every port's state (a boundary clock has several) */
		struct pmc_answer pa[8];
		int n = pmc_uds_query(u, PMC_GET, PMC_ID_PORT_DATA_SET, NULL, 0, pa, 8, o->timeout, err,
				      sizeof(err));
		for (int i = 0; i < n; i++)
			if (!pa[i].r.error &&
			    pmc_get_port_ds(pa[i].r.data, pa[i].r.data_len, &ports[g.nports]))
				g.nports++;
		g.ports = ports;
	}
	verify_judge_grandmaster(gm, &g);
}

static void check_phc(const struct vopts *o, struct checks *cs)
{
	struct check *c = check_new(cs, "phc-tai", "PHC - UTC = TAI-UTC");
	char dev[256], why[512];
	if (!verify_find_phc(&o->sv, o->iface, o->phc, dev, sizeof(dev), why, sizeof(why))) {
		check_skip(c, "%s", why);
		return;
	}
	int tai;
	bool expired;
	if (!tai_utc_now(o, &tai, &expired, why, sizeof(why))) {
		check_skip(c, "%s", why);
		return;
	}
	struct clocksrc *src = verify_open_phc(dev);
	struct clk_event ev;
	int r = src ? clocksrc_next(src, 1000, &ev) : -1;
	if (src)
		clocksrc_close(src);
	verify_judge_phc_tai(c, dev, !src ? VERIFY_PHC_NO_DEVICE
				    : r == 1 ? VERIFY_PHC_READ_OK : VERIFY_PHC_NO_READING,
			     &ev, tai, NULL, o->server);
}

static void check_shm(const struct vopts *o, struct checks *cs)
{
	struct check *c = check_new(cs, "shm", "SHM samples ticking, offset < 1 s");
	char err[512];
	struct ntpshm_seg seg;
	int eno = 0;
	if (!ntpshm_attach(o->shm_unit, false, 0, &seg, err, sizeof(err), &eno)) {
		check_fail(c, "SHM", "start ntpsec (it creates the segment for `refclock shm unit N`) "
				     "and phc2sys -E ntpshm -M N",
			   "%s", err);
		return;
	}
	/* linuxptp ntpshm.c creates a missing segment 0600 (root only); ntpsec, running as its
	 * own user, creates units >= 2 with 0666 (refclock_shm.c) and cannot attach to a 0600
	 * one made by phc2sys first (docs/errata.md 14) */
	struct shmid_ds ds;
	char where0[32];
	snprintf(where0, sizeof(where0), "SHM unit %d", o->shm_unit);
	if (shmctl(seg.shmid, IPC_STAT, &ds) == 0 && o->shm_unit >= 2 &&
	    (ds.shm_perm.mode & 0777) == 0600 && ds.shm_perm.uid == 0)
		check_fail(c, where0,
			   "stop phc2sys, remove the segment (ipcrm -M KEY), restart ntpsec, then "
			   "phc2sys (the client unit's After=ntpsec.service keeps this order)",
			   "the segment is mode 0600 owned by root (created by phc2sys before ntpsec): "
			   "ntpsec, running as its own user, cannot read it");
	/* Looks every 20 ms for up to 4.5 s, as a monitor (ntpshmmon): never consuming. ntpsec
	 * clears `valid` when it takes a sample (refclock_shm.c shm_timer), so one look can land
	 * between its read and the writer's next write: two single looks 2.5 s apart failed
	 * about one verify in eight in the lab (a 4 Hz writer, ntpd polling at 1 Hz). Ticking:
	 * two valid samples with different receive times. */
	struct ntpshm_sample a = { 0 }, b = { 0 };
	enum ntpshm_status sb = NTPSHM_OK;
	int nvalid = 0;
	bool ticked = false;
	for (int i = 0; i < 225 && !ticked; i++) {
		struct ntpshm_sample x;
		enum ntpshm_status st = ntpshm_read(seg.t, false, &x);
		if (st == NTPSHM_OK) {
			if (nvalid++ == 0)
				a = x;
			else if (x.receive.tv_sec != a.receive.tv_sec ||
				 x.receive.tv_nsec != a.receive.tv_nsec)
				ticked = true;
			b = x;
		} else {
			sb = st;
		}
		struct timespec ts = { 0, 20000000 };
		nanosleep(&ts, NULL);
	}
	ntpshm_detach(&seg);
	verify_judge_shm(c, o->shm_unit, nvalid, (int)sb, ticked, ntpshm_offset_ns(&b));
}

static void check_ntpsec(const struct vopts *o, struct checks *cs)
{
	struct check *c = check_new(cs, "ntpsec-peer", "ntpsec's system peer is the PTP refclock");
	const char *argv[] = { "ntpq", "-pn", NULL };
	char why[512];
	int status;
	char *out = sv_command(&o->sv, "ntpq-pn.txt", argv, &status, why, sizeof(why));
	if (!out) {
		check_skip(c, "%s", why);
		return;
	}
	bool any = false, ours = false;
	char peer[160] = "";
	char *save = NULL;
	for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (l[0] != '*')
			continue;
		any = true;
		snprintf(peer, sizeof(peer), "%s", l + 1);
		/* shm_unit -1 (not given): only the refid .PTP. can say it is ours */
		ours = ntpq_peer_is_ptp_refclock(l + 1, o->shm_unit);
	}
	free(out);
	verify_judge_ntpsec_peer(c, status, any, ours, peer);
}

int cmd_verify(int argc, char **argv)
{
	enum { OPT_SHM = 256, OPT_LEAP, OPT_PHC, OPT_OUT, OPT_JSON, OPT_CONF };
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "uds", required_argument, NULL, 's' },
		{ "shm-unit", required_argument, NULL, OPT_SHM },
		{ "leapfile", required_argument, NULL, OPT_LEAP },
		{ "phc", required_argument, NULL, OPT_PHC },
		{ "outputs", required_argument, NULL, OPT_OUT },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "ptp4l-conf", required_argument, NULL, OPT_CONF },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vopts o = { .iface = "eth0", .uds = NULL, .leapfile = LEAPFILE_DEFAULT,
			   .shm_unit = -1, .timeout = 1000 };
	bool json = false;
	long lv;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "i:s:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': o.iface = optarg; break;
		case 's': o.uds = optarg; break;
		case OPT_SHM:
			if (!parse_int_arg("--shm-unit", optarg, 0, 255, &lv))
				return EXIT_USAGE;
			o.shm_unit = (int)lv;
			break;
		case OPT_LEAP: o.leapfile = optarg; break;
		case OPT_PHC: o.phc = optarg; break;
		case OPT_OUT: o.sv.outputs = optarg; break;
		case 't':
			if (!parse_int_arg("--timeout", optarg, 1, 60000, &lv))
				return EXIT_USAGE;
			o.timeout = (int)lv;
			break;
		case OPT_JSON: json = true; break;
		case OPT_CONF: o.ptp4l_conf = optarg; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind >= argc)
		return usage_error("say server or client");
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	if (strcmp(argv[optind], "server") == 0)
		o.server = true;
	else if (strcmp(argv[optind], "client") != 0)
		return usage_error("'%s' is not server or client", argv[optind]);
	struct stat st; /* as doctor: a bad --outputs is bad input, not a failed check */
	if (o.sv.outputs && (stat(o.sv.outputs, &st) != 0 || !S_ISDIR(st.st_mode))) {
		log_err("%s: --outputs is not a directory", o.sv.outputs);
		return EXIT_USAGE;
	}
	char udsbuf[1024];
	if (!o.uds) {
		ptp4l_uds_path(o.iface, udsbuf, sizeof(udsbuf));
		o.uds = udsbuf;
	}
	if (o.shm_unit < 0) {
		char unit_path[1100];
		int seg = phc2sys_shm_segment(&o.sv, unit_path, sizeof(unit_path));
		o.shm_unit = seg >= 0 ? seg : 2;
	}

	if (!o.server && !verify_find_free_running(&o.sv, o.iface, o.ptp4l_conf, &o.free_running,
						   o.fr_where, sizeof(o.fr_where)))
		return EXIT_USAGE;

	struct checks cs = { NULL, 0 };
	struct pmc_uds u;
	bool have_uds = false;
	check_daemons(&o, &cs);
	check_management(&o, &cs, &u, &have_uds);
	if (have_uds)
		pmc_uds_close(&u);
	check_phc(&o, &cs);
	if (!o.server) {
		check_shm(&o, &cs);
		check_ntpsec(&o, &cs);
	}
	bool failed = checks_failed(&cs, false);
	if (json)
		checks_print_json(&cs, "ptpcal-verify/1", "/", failed);
	else
		checks_print_text(&cs, false);
	checks_free(&cs);
	return failed ? EXIT_FAILED : EXIT_OK;
}
