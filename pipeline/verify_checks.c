/* See verify_checks.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/ptp_wire.h"
#include "common/conf_edit.h"
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
