#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pipeline/doctor.h"
#include "pipeline/ethtool_parse.h"
#include "pipeline/ptp4l_conf_scan.h"
#include "pipeline/ptp4l_paths.h"

/* The ptp4l.conf of the interface, scanned; false (and *path set) when absent. */
static bool load_conf(const struct doctor_opts *o, char *path, size_t len, struct ptp4l_scan *s)
{
	ptp4l_conf_path(o->sv.root, o->iface, path, len);
	char *t = sv_read(&o->sv, path);
	if (!t)
		return false;
	ptp4l_scan_text(t, s);
	free(t);
	return true;
}

/* The value ptp4l uses for a port option on o->iface: the port section, else [global],
 * else the default given. */
static const char *port_value(const struct ptp4l_scan *s, const char *iface, const char *opt,
			      const char *def, int *line)
{
	const struct ptp4l_line *l = ptp4l_scan_get(s, iface, opt);
	if (!l)
		l = ptp4l_scan_get(s, "global", opt);
	*line = l ? l->line : 0;
	return l ? l->value : def;
}

void doctor_ptp4l_conf(const struct doctor_opts *o, struct checks *cs)
{
	struct check *c = check_new(cs, "ptp4l-conf", "ptp4l.conf parses for this linuxptp");
	struct check *servo = check_new(cs, "ntpshm-servo", "no ntpshm servo inside ptp4l");
	char path[1024], where[1200];
	struct ptp4l_scan s;
	if (!load_conf(o, path, sizeof(path), &s)) {
		check_fail(c, path, "ptpcal setup server|client", "missing: ptp4l@.service reads it");
		check_skip(servo, "no ptp4l.conf");
		return;
	}
	char vbuf[32] = "?";
	if (o->have_ver)
		lptp_version_str(&o->ver, vbuf, sizeof(vbuf));
	for (int i = 0; i < s.n; i++) {
		const struct ptp4l_line *l = &s.v[i];
		snprintf(where, sizeof(where), "%s:%d", path, l->line);
		if (l->bad_section) {
			check_fail(c, where, "write it as [global] or [IFACE]",
				   "malformed section header: ptp4l refuses the file");
			continue;
		}
		if (!l->section[0]) {
			check_fail(c, where, "put it under [global]",
				   "\"%s\" is not in a section: ptp4l refuses the file (\"line %d is not "
				   "in a section\", config.c)",
				   l->option, l->line);
			continue;
		}
		if (!l->value[0] && strcmp(l->section, "unicast_master_table") != 0)
			check_fail(c, where, "give it a value", "option %s without a value", l->option);
		if (!o->have_ver)
			continue;
		/* options that exist only in some versions (config.c config_tab per tag) */
		bool v4 = lptp_at_least(&o->ver, 4, 0);
		if (!v4 && (strcmp(l->option, "clientOnly") == 0 || strcmp(l->option, "serverOnly") == 0))
			check_fail(c, where,
				   strcmp(l->option, "clientOnly") == 0 ? "write slaveOnly (3.x spelling)"
									: "write masterOnly (3.x spelling)",
				   "%s is unknown to linuxptp %s: ptp4l refuses the whole file (\"unknown "
				   "option\")",
				   l->option, vbuf);
		if (!lptp_has_ptp_minor_version(&o->ver) && strcmp(l->option, "ptp_minor_version") == 0)
			check_fail(c, where, "remove it (linuxptp before 4.2 sends PTP 2.0 anyway)",
				   "ptp_minor_version is unknown to linuxptp %s (it arrived in 4.2): ptp4l "
				   "refuses the whole file; the guide's \"harmless on 3.x\" is wrong",
				   vbuf);
		if (v4 && (strcmp(l->option, "slaveOnly") == 0 || strcmp(l->option, "masterOnly") == 0))
			check_warn(c, where,
				   strcmp(l->option, "slaveOnly") == 0 ? "write clientOnly" : "write serverOnly",
				   "%s is deprecated in linuxptp %s and renamed at parse time; a later "
				   "line of it overrides the new name",
				   l->option, vbuf);
		if (strcmp(l->option, "clock_servo") == 0 && strcasecmp(l->value, "ntpshm") == 0)
			check_fail(servo, where,
				   "use clock_servo linreg (or pi) and feed ntpsec with `phc2sys -s IF -E "
				   "ntpshm -M N -w` (ptpcal setup client)",
				   "ptp4l's own ntpshm servo writes SHM without phc2sys's UTC-TAI "
				   "handling: the guide's 37-second error on clients");
	}
	/* a client that never steers its PHC */
	const struct ptp4l_line *co = ptp4l_scan_get(&s, "global", "clientOnly");
	if (!co)
		co = ptp4l_scan_get(&s, "global", "slaveOnly");
	const struct ptp4l_line *fr = ptp4l_scan_get(&s, "global", "free_running");
	if (co && atoi(co->value) == 1 && fr && atoi(fr->value) == 1) {
		snprintf(where, sizeof(where), "%s:%d", path, fr->line);
		check_fail(c, where, "remove free_running from the client's ptp4l.conf",
			   "a client-only ptp4l with free_running 1 never disciplines its PHC: phc2sys "
			   "then hands ntpsec a free-running clock");
	}
	if (c->nf == 0)
		check_detail(c, "%s: %d settings, none refused by linuxptp %s", path, s.n, vbuf);
	if (servo->nf == 0)
		check_detail(servo, "clock_servo is not ntpshm");
	ptp4l_scan_free(&s);
}

void doctor_nic(const struct doctor_opts *o, struct checks *cs)
{
	struct check *phc = check_new(cs, "phc", "the NIC has a PTP hardware clock");
	struct check *filt = check_new(cs, "transport-filters", "NIC receive filters fit the transport");
	struct check *coal = check_new(cs, "coalescence", "interrupt coalescence at the target");
	char path[1024];
	struct ptp4l_scan s;
	bool have_conf = load_conf(o, path, sizeof(path), &s);
	int ts_line = 0, tr_line = 0;
	/* defaults: config.c time_stamping TS_HARDWARE, network_transport TRANS_UDP_IPV4 */
	const char *ts = have_conf ? port_value(&s, o->iface, "time_stamping", "hardware", &ts_line)
				   : "hardware";
	const char *tr = have_conf ? port_value(&s, o->iface, "network_transport", "UDPv4", &tr_line)
				   : "UDPv4";
	char tsbuf[200], trbuf[200];
	snprintf(tsbuf, sizeof(tsbuf), "%s", ts);
	snprintf(trbuf, sizeof(trbuf), "%s", tr);
	if (have_conf)
		ptp4l_scan_free(&s);
	bool hw = strcasecmp(tsbuf, "software") != 0;

	char fake[128], why[512], cmdname[160];
	int status;
	snprintf(fake, sizeof(fake), "ethtool-T-%s.txt", o->iface);
	snprintf(cmdname, sizeof(cmdname), "ethtool -T %s", o->iface);
	const char *argv_t[] = { "ethtool", "-T", o->iface, NULL };
	char *out = sv_command(&o->sv, fake, argv_t, &status, why, sizeof(why));
	struct ethtool_ts t;
	if (!out) {
		check_skip(phc, "%s", why);
		check_skip(filt, "%s", why);
	} else {
		ethtool_parse_ts(out, &t);
		free(out);
		if (!t.parsed || status != 0) {
			check_skip(phc, "%s: no time-stamping information (exit %d; does %s exist?)",
				   cmdname, status, o->iface);
			check_skip(filt, "%s gave nothing to compare", cmdname);
		} else {
			char where[1200];
			snprintf(where, sizeof(where), "%s:%d", path, ts_line);
			if (t.phc_index < 0 && hw)
				check_fail(phc, ts_line ? where : cmdname,
					   "use a NIC with a PHC, or `time_stamping software` and accept "
					   "tens of microseconds",
					   "\"PTP Hardware Clock: none\" but ptp4l is set to %s time stamping",
					   tsbuf);
			else if (t.phc_index < 0)
				check_detail(phc, "no PHC; ptp4l uses software time stamps");
			else
				check_detail(phc, "/dev/ptp%d", t.phc_index);
			if (!hw) {
				check_detail(filt, "software time stamping: no hardware filter needed");
			} else if (t.phc_index >= 0 && !ethtool_filters_fit(&t, trbuf)) {
				char list[512] = "";
				for (int i = 0; i < t.nfilters; i++)
					snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
						 i ? " " : "", t.filters[i]);
				snprintf(where, sizeof(where), "%s:%d", path, tr_line);
				check_fail(filt, tr_line ? where : cmdname,
					   strcmp(trbuf, "L2") == 0
						   ? "set network_transport UDPv4 if the filters are L4 ones, "
						     "or use a NIC that time-stamps L2 PTP"
						   : "set network_transport L2 if the filters are L2 ones",
					   "network_transport %s needs the ptpv2-event, ptpv2-%s-event or all "
					   "receive filter (linuxptp sk.c); %s offers: %s",
					   trbuf, strcmp(trbuf, "L2") == 0 ? "l2" : "l4", cmdname,
					   list[0] ? list : "none");
			} else if (t.phc_index >= 0) {
				check_detail(filt, "%s fits network_transport %s", cmdname, trbuf);
			} else {
				check_skip(filt, "no PHC");
			}
		}
	}

	snprintf(fake, sizeof(fake), "ethtool-c-%s.txt", o->iface);
	snprintf(cmdname, sizeof(cmdname), "ethtool -c %s", o->iface);
	const char *argv_c[] = { "ethtool", "-c", o->iface, NULL };
	out = sv_command(&o->sv, fake, argv_c, &status, why, sizeof(why));
	if (!out) {
		check_skip(coal, "%s", why);
		return;
	}
	struct ethtool_coalesce ce;
	ethtool_parse_coalesce(out, &ce);
	free(out);
	if (!ce.parsed || (ce.rx_usecs < 0 && ce.tx_usecs < 0)) {
		check_skip(coal, "%s: the driver reports no rx-usecs/tx-usecs (exit %d)", cmdname, status);
		return;
	}
	char fix[256];
	snprintf(fix, sizeof(fix),
		 "ethtool -C %s rx-usecs %d tx-usecs %d, made persistent by the oneshot unit "
		 "`ptpcal setup` writes (%s-coalescence.service)",
		 o->iface, o->coalesce_target_us, o->coalesce_target_us, o->iface);
	if (ce.rx_usecs > o->coalesce_target_us || ce.tx_usecs > o->coalesce_target_us)
		check_fail(coal, cmdname, fix, "rx-usecs %d, tx-usecs %d: above the %d us target (each "
					       "packet waits up to that long for its interrupt)",
			   ce.rx_usecs, ce.tx_usecs, o->coalesce_target_us);
	else
		check_detail(coal, "rx-usecs %d, tx-usecs %d", ce.rx_usecs, ce.tx_usecs);
}
