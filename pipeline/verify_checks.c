/* See verify_checks.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/ptp_wire.h"
#include "common/conf_edit.h"
#include "pipeline/ethtool_parse.h"
#include "pipeline/ptp4l_paths.h"
#include "pipeline/verify_checks.h"

void verify_judge_utc_offset(struct check *c, const struct pmc_time_props *tp, int tai,
			     bool expired, const char *leapfile, const char *leap_err, bool server)
{
	const char *where = "GET TIME_PROPERTIES_DATA_SET";
	if (tai < 0) {
		check_skip(c, "%s", leap_err ? leap_err : "TAI-UTC unknown");
		return;
	}
	if (tp->utc_offset != tai)
		check_fail(c, where,
			   server ? "set utc_offset in ptp4l.conf to the leap file's value "
				    "(`ptpcal doctor` compares them)"
				  : "the grandmaster announces it: fix the server",
			   "currentUtcOffset %d but %s says TAI-UTC is %d now%s", tp->utc_offset,
			   leapfile, tai, expired ? " (and the file has expired)" : "");
	if (!(tp->flags & PMC_PTP_TIMESCALE))
		check_fail(c, where,
			   "hardware time stamping on a NIC with a PHC (linuxptp clock.c: "
			   "software time stamps or CLOCK_REALTIME mean the UTC timescale)",
			   "ptpTimescale 0: the grandmaster runs on the UTC timescale, so phc2sys "
			   "-w takes no UTC-TAI offset (clients' PHCs hold UTC)");
	if (!(tp->flags & PMC_UTC_OFF_VALID))
		check_warn(c, where,
			   "`ptpcal watchdog` sets it (with timeTraceable) while GNSS is locked; or "
			   "pmc SET GRANDMASTER_SETTINGS_NP",
			   "currentUtcOffsetValid 0: ptp4l never sets it itself (clock.c: "
			   "time_flags = PTP_TIMESCALE only, v3.1.1..v4.4), so the guide's "
			   "expected \"currentUtcOffsetValid 1\" needs a GRANDMASTER_SETTINGS_NP");
	if (c->nf == 0)
		check_detail(c, "currentUtcOffset %d = TAI-UTC, PTP timescale, valid", tai);
}

void verify_judge_grandmaster(struct check *gm, const struct verify_gm *g)
{
	const struct pmc_parent_ds *pd = g->parent;
	char gmid[20], own[20];
	ptp_clock_id_str(pd->gm_identity, gmid);
	if (g->server) {
		if (g->dflt && memcmp(pd->gm_identity, g->dflt->clock_identity, 8) != 0)
			check_fail(gm, "GET PARENT_DATA_SET",
				   "find the other grandmaster (priority1 64 should win; check its "
				   "clockClass and priority1)",
				   "the grandmaster is %s, not this node (%s)", gmid,
				   ptp_clock_id_str(g->dflt->clock_identity, own));
		if (pd->gm_quality.clock_class != 6)
			check_fail(gm, "GET PARENT_DATA_SET",
				   pd->gm_quality.clock_class == 7 || pd->gm_quality.clock_class == 52 ||
						   pd->gm_quality.clock_class == 187
					   ? "the watchdog demoted it: GNSS is lost (check gpsd)"
					   : "clockClass 6 in ptp4l.conf (ptpcal setup server)",
				   "grandmasterClockClass %u, not 6", pd->gm_quality.clock_class);
	} else {
		bool slave = false;
		char states[256] = "";
		for (int i = 0; i < g->nports; i++) {
			slave |= g->ports[i].state == 9;
			snprintf(states + strlen(states), sizeof(states) - strlen(states), "%s%s",
				 states[0] ? ", " : "", pmc_port_state_name(g->ports[i].state));
		}
		/* linuxptp clock.c v3.1.1 clock_no_adjust(): with free_running the servo state is
		 * SERVO_UNLOCKED unless local_sync_uncertain is FALSE, so port.c never moves the
		 * port from UNCALIBRATED to SLAVE (sync's wait accepts UNCALIBRATED likewise) */
		bool fr_skip = !slave && g->free_running && g->nports > 0;
		if (!slave && !fr_skip)
			check_fail(gm, "GET PORT_DATA_SET",
				   "wait for the servo to lock; if it never does, `ptpcal doctor` (tx "
				   "timestamp timeouts, a second ptp4l, free_running)",
				   "no port in SLAVE state (%s)", states[0] ? states : "no answer");
		if (pd->gm_quality.clock_class != 6)
			check_fail(gm, "GET PARENT_DATA_SET",
				   "check the server (`ptpcal verify server` there)",
				   "the grandmaster %s announces clockClass %u, not 6", gmid,
				   pd->gm_quality.clock_class);
		if (g->dflt && memcmp(pd->gm_identity, g->dflt->clock_identity, 8) == 0)
			check_fail(gm, "GET PARENT_DATA_SET", "check the network path to the server",
				   "the client is its own grandmaster: it hears no server");
		if (fr_skip && gm->nf == 0) {
			check_skip(gm, "free_running 1: the port never reaches SLAVE (%s: %s; "
				       "grandmaster %s, clockClass %u)",
				   g->fr_where ? g->fr_where : "ptp4l", states[0] ? states : "no answer",
				   gmid, pd->gm_quality.clock_class);
			return;
		}
	}
	if (gm->nf == 0)
		check_detail(gm, "grandmaster %s, clockClass %u", gmid, pd->gm_quality.clock_class);
}

void verify_judge_shm(struct check *c, int unit, int nvalid, int last_status, bool ticked,
		      int64_t off)
{
	char where[32];
	snprintf(where, sizeof(where), "SHM unit %d", unit);
	if (nvalid == 0) {
		check_fail(c, where, "is phc2sys running with -E ntpshm -M N? (`ptpcal shm read`)",
			   "no valid sample in 4.5 s (status %d)", last_status);
		return;
	}
	if (!ticked)
		check_fail(c, where, "phc2sys has stopped writing: check it and ptp4l",
			   "the same sample for 4.5 s: not ticking");
	if (llabs(off) > 1000000000LL)
		check_fail(c, where,
			   fabs((double)off / 1e9 - 37) < 2 || fabs((double)off / 1e9 + 37) < 2
				   ? "a UTC/TAI mix-up: phc2sys must take the offset from ptp4l (-w) and "
				     "ptp4l must not run the ntpshm servo"
				   : "check phc2sys and the PHC",
			   "system - SHM reference = %.3f s", (double)off / 1e9);
	if (c->nf == 0)
		check_detail(c, "unit %d ticking, system - reference = %lld ns", unit, (long long)off);
}

void verify_judge_ntpsec_peer(struct check *c, int status, bool any, bool ours, const char *peer)
{
	if (status != 0 && !any)
		check_fail(c, "ntpq -pn", "start ntpsec (systemctl restart ntpsec)",
			   "ntpq failed (exit %d): is ntpsec running?", status);
	else if (!any)
		check_fail(c, "ntpq -pn", "wait: ntpsec takes a few minutes to trust a new refclock",
			   "ntpsec has no system peer yet");
	else if (!ours)
		check_fail(c, "ntpq -pn",
			   "check that the PTP refclock is reachable (reach 377) and consider `prefer`",
			   "the system peer is not the PTP refclock: %s", peer);
	else
		check_detail(c, "%s", peer);
}

void verify_count_daemons(const struct proc_entry *p, int n, struct verify_daemons *d)
{
	memset(d, 0, sizeof(*d));
	for (int i = 0; i < n; i++) {
		if (p[i].other_netns)
			continue;
		if (strcmp(p[i].name, "ptp4l") == 0)
			d->nptp4l++;
		if (strcmp(p[i].name, "phc2sys") == 0) {
			d->nphc2sys++;
			d->phc2sys_pid = p[i].pid;
			snprintf(d->phc2sys_args, sizeof(d->phc2sys_args), "%s", p[i].args);
		}
	}
}

void verify_judge_daemons(struct check *c, const struct verify_daemons *d, const char *iface,
			  bool server)
{
	char unit[128];
	snprintf(unit, sizeof(unit), "systemctl enable --now ptp4l@%s.service", iface);
	if (d->nptp4l != 1)
		check_fail(c, "processes", d->nptp4l ? "find the extra one with `ptpcal doctor`" : unit,
			   "%d ptp4l processes running (want exactly 1)", d->nptp4l);
	snprintf(unit, sizeof(unit), "systemctl enable --now phc2sys@%s.service (after `ptpcal setup %s`)",
		 iface, server ? "server" : "client");
	if (d->nphc2sys != 1)
		check_fail(c, "processes", d->nphc2sys ? "find the extra one with `ptpcal doctor`" : unit,
			   "%d phc2sys processes running (want exactly 1)", d->nphc2sys);
	if (d->phc2sys_pid) {
		char buf[4096];
		const char *t[64];
		int k = conf_tokens(d->phc2sys_args, buf, sizeof(buf), t, 64);
		bool src_rt = false, ntpshm = false, dst = false;
		/* linuxptp phc2sys.c (v3.1.1..v4.4) main's getopt: -s the source clock, -c the
		 * destination, -E the servo (ntpshm: write the offset to an NTP SHM segment) */
		for (int i = 0; i + 1 < k; i++) {
			if (strcmp(t[i], "-s") == 0 && strcmp(t[i + 1], "CLOCK_REALTIME") == 0)
				src_rt = true;
			if (strcmp(t[i], "-E") == 0 && strcmp(t[i + 1], "ntpshm") == 0)
				ntpshm = true;
			if (strcmp(t[i], "-c") == 0)
				dst = true;
		}
		char where[64];
		snprintf(where, sizeof(where), "process %d", d->phc2sys_pid);
		if (server && !(src_rt && dst))
			check_fail(c, where, "ptpcal setup server (phc2sys -s CLOCK_REALTIME -c IF -w)",
				   "phc2sys is not in the server direction (system clock -> PHC): %s",
				   d->phc2sys_args);
		if (!server && !ntpshm)
			check_fail(c, where, "ptpcal setup client (phc2sys -s IF -E ntpshm -M N -w)",
				   "phc2sys does not feed ntpsec through SHM (-E ntpshm): %s",
				   d->phc2sys_args);
	}
	if (c->nf == 0)
		check_detail(c, "1 ptp4l, 1 phc2sys (%s)", d->phc2sys_pid ? d->phc2sys_args : "");
}

bool verify_find_phc(const struct sysview *sv, const char *iface, const char *given, char *dev,
		     size_t devlen, char *why, size_t whylen)
{
	if (given) {
		snprintf(dev, devlen, "%s", given);
		return true;
	}
	char fake[128];
	int status;
	snprintf(fake, sizeof(fake), "ethtool-T-%s.txt", iface);
	const char *argv[] = { "ethtool", "-T", iface, NULL };
	char *out = sv_command(sv, fake, argv, &status, why, whylen);
	if (!out)
		return false;
	struct ethtool_ts t;
	ethtool_parse_ts(out, &t);
	free(out);
	if (!t.parsed) {
		snprintf(why, whylen, "ethtool -T %s: no time-stamping information (no such interface?)",
			 iface);
		return false;
	}
	if (t.phc_index < 0) {
		snprintf(why, whylen, "%s has no PHC (ethtool -T: PTP Hardware Clock: none): software "
				      "time stamps, nothing holds TAI", iface);
		return false;
	}
	snprintf(dev, devlen, "/dev/ptp%d", t.phc_index);
	return true;
}

struct clocksrc *verify_open_phc(const char *dev)
{
	/* capture/clocksrc: the device read as linuxptp's sysoff does (best bracket of 9), or a
	 * `phc` dataset recorded earlier with `ptpcal phc record` (replayed) */
	return clocksrc_is_recording(dev) ? clock_replay_open(dev, "phc")
					  : phc_open(dev, 9, PHC_METHOD_AUTO);
}

void verify_judge_phc_tai(struct check *c, const char *dev, enum verify_phc_read got,
			  const struct clk_event *ev, int tai, const char *leap_err, bool server)
{
	if (tai < 0) {
		check_skip(c, "%s", leap_err && *leap_err ? leap_err : "TAI-UTC unknown");
		return;
	}
	if (got == VERIFY_PHC_NO_DEVICE) {
		check_fail(c, dev, "check the device (ls -l /dev/ptp*; ptpcal phc caps DEV)",
			   "cannot read it");
		return;
	}
	if (got != VERIFY_PHC_READ_OK) {
		check_fail(c, dev, "check the device (ptpcal phc cmp DEV)", "no reading");
		return;
	}
	/* A PHC that ptp4l serves from holds TAI: phc2sys -w takes currentUtcOffset from
	 * TIME_PROPERTIES_DATA_SET when ptpTimescale is set and steers PHC = CLOCK_REALTIME +
	 * currentUtcOffset (linuxptp phc2sys.c v3.1.1 run_pmc_get_utc_offset, get_sync_offset:
	 * direction dst->is_utc - master->is_utc) */
	double diff = ptime_diff_ns(ev->phc, ev->sys); /* PHC - CLOCK_REALTIME */
	double err_s = diff / 1e9 - tai;
	if (fabs(err_s) > 1e-3) {
		bool utc = fabs(diff / 1e9) < 1.0;
		check_fail(c, dev,
			   utc ? (server ? "the grandmaster must announce the PTP timescale with "
					   "currentUtcOffset = TAI-UTC; phc2sys -w then adds it"
					 : "fix the server: its PHC or its announced offset is wrong")
			       : "check phc2sys (direction, -w) and ptp4l's currentUtcOffset",
			   "PHC - UTC = %.6f s, expected TAI-UTC = %d s%s", diff / 1e9, tai,
			   utc ? ": the PHC holds UTC (the 37-second trap)" : "");
	} else {
		check_detail(c, "%s - UTC = %.9f s (TAI-UTC %d, bracket %lld ns, %s)", dev, diff / 1e9,
			     tai, (long long)ev->bracket_ns, phc_method_name(ev->method));
	}
}

bool verify_find_free_running(const struct sysview *sv, const char *iface, const char *given,
			      bool *frun, char *where, size_t wlen)
{
	const char *conf = given;
	char fbuf[1024] = "";
	*frun = false;
	if (!conf) {
		struct proc_entry *p;
		char why[512];
		int n = sv_processes(sv, &p, why, sizeof(why));
		for (int i = 0; i < n; i++) {
			if (p[i].other_netns || strcmp(p[i].name, "ptp4l") != 0)
				continue;
			char buf[4096];
			const char *t[64];
			int k = conf_tokens(p[i].args, buf, sizeof(buf), t, 64);
			for (int j = 0; j < k; j++) {
				bool fr = (strcmp(t[j], "--free_running") == 0 && j + 1 < k &&
					   strcmp(t[j + 1], "1") == 0) ||
					  strcmp(t[j], "--free_running=1") == 0;
				if (fr) {
					*frun = true;
					snprintf(where, wlen, "process %d", p[i].pid);
				}
				if (strcmp(t[j], "-f") == 0 && j + 1 < k && !fbuf[0])
					snprintf(fbuf, sizeof(fbuf), "%s", t[j + 1]);
			}
		}
		if (n >= 0)
			sv_free_processes(p, n);
		if (*frun)
			return true;
		if (!fbuf[0])
			ptp4l_conf_path(NULL, iface, fbuf, sizeof(fbuf));
		conf = fbuf;
	}
	struct conf_file cf;
	if (!conf_load(&cf, conf, given == NULL)) /* one line printed */
		return given == NULL;
	const char *fr = conf_ptp4l_get(&cf, "global", "free_running");
	if (fr && strcmp(fr, "1") == 0) {
		*frun = true;
		snprintf(where, wlen, "%s", conf);
	}
	conf_free(&cf);
	return true;
}
