#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "pipeline/setup_gen.h"

void notes_add(struct notes *n, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n->v = xrealloc(n->v, sizeof(char *) * (n->n + 1));
	n->v[n->n++] = xstrdup(buf);
}

void notes_free(struct notes *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->v[i]);
	free(n->v);
	n->v = NULL;
	n->n = 0;
}

static void add(struct ptp4l_setting *out, size_t max, size_t *k, const char *opt, const char *fmt,
		...) __attribute__((format(printf, 5, 6)));
static void add(struct ptp4l_setting *out, size_t max, size_t *k, const char *opt, const char *fmt,
		...)
{
	if (*k >= max)
		return;
	va_list ap;
	va_start(ap, fmt);
	out[*k].option = opt;
	vsnprintf(out[*k].value, sizeof(out[*k].value), fmt, ap);
	va_end(ap);
	(*k)++;
}

/* Every option below is in linuxptp's config.c config_tab at v3.1.1 and v4.0..v4.4 with the
 * value range used (checked per tag; tests/e2e/setup_ptp4l.sh re-checks against the table):
 *   clockClass, clockAccuracy, priority1, priority2: GLOB_ITEM_INT 0..UINT8_MAX
 *   free_running: GLOB_ITEM_INT 0..1
 *   fault_reset_interval: PORT_ITEM_INT INT8_MIN..INT8_MAX, and "ASAP" is accepted by
 *     parse_fault_interval() (-> FRI_ASAP) in v3.1.1 as in v4.x: the guide's claim that 3.x
 *     needs a number is wrong (docs/errata.md 4)
 *   summary_interval: GLOB_ITEM_INT; clock_servo: enum pi|linreg|ntpshm|nullf
 *   timeSource: GLOB_ITEM_INT 0x10..0xfe (strtol base 0, so "0x20" parses)
 *   network_transport: enum L2|UDPv4|UDPv6; delay_mechanism: enum Auto|E2E|P2P (Auto in
 *     every version); time_stamping: enum hardware|software|legacy|onestep|p2p1step
 *   ntpshm_segment: GLOB_ITEM_INT; tx_timestamp_timeout: GLOB_ITEM_INT 1..INT_MAX (ms)
 *   slaveOnly (v3.1.1) / clientOnly (v4.0+): 0..1; ptp_minor_version 0..1 from v4.2 only. */
size_t setup_ptp4l_settings(const struct setup_params *p, struct ptp4l_setting *out, size_t max)
{
	size_t k = 0;
	const char *co = lptp_client_only_option(&p->ver);
	if (p->role == SETUP_SERVER) {
		/* grandmaster: "synchronized to a primary reference", accuracy 1 us (0x23) */
		add(out, max, &k, "clockClass", "6");
		add(out, max, &k, "clockAccuracy", "0x23");
		add(out, max, &k, "priority1", "64");
		add(out, max, &k, "priority2", "128");
		/* phc2sys disciplines the PHC from the system clock; ptp4l must never steer it */
		add(out, max, &k, "free_running", "1");
		/* not in the guide: a server must not be client-only (a file left by a client
		 * set-up or an edited default.cfg would make it one) */
		add(out, max, &k, co, "0");
		add(out, max, &k, "fault_reset_interval", "ASAP");
		add(out, max, &k, "summary_interval", "10");
		add(out, max, &k, "clock_servo", "linreg");
		add(out, max, &k, "timeSource", "0x20"); /* GPS */
		add(out, max, &k, "network_transport", "%s", p->transport);
		add(out, max, &k, "delay_mechanism", "Auto");
		add(out, max, &k, "time_stamping", "%s", p->time_stamping);
		/* not in the guide's server listing: the grandmaster's Sync TX time stamps come
		 * from the same slow macb/bcmgenet driver as the client's (doctor checks it) */
		add(out, max, &k, "tx_timestamp_timeout", "100");
	} else {
		add(out, max, &k, co, "1");
		add(out, max, &k, "clockClass", "255");
		add(out, max, &k, "fault_reset_interval", "ASAP");
		add(out, max, &k, "summary_interval", "10");
		add(out, max, &k, "clock_servo", "linreg");
		/* Only ptp4l's own ntpshm servo reads this (linuxptp ntpshm.c v3.1.1..v4.4);
		 * phc2sys takes its segment from -M. Kept because the guide writes it and it
		 * documents the pairing with ntp.conf's unit. */
		add(out, max, &k, "ntpshm_segment", "%d", p->shm_unit);
		add(out, max, &k, "network_transport", "%s", p->transport);
		add(out, max, &k, "delay_mechanism", "Auto");
		add(out, max, &k, "time_stamping", "%s", p->time_stamping);
		add(out, max, &k, "timeSource", "0x40"); /* PTP */
		/* Pi macb/bcmgenet TX timestamps are slow (guide); default 1 ms in 3.1.1, 10 ms
		 * from 4.0 (config.c) */
		add(out, max, &k, "tx_timestamp_timeout", "100");
		if (lptp_has_ptp_minor_version(&p->ver))
			add(out, max, &k, "ptp_minor_version", "0");
	}
	return k;
}

bool setup_edit_ptp4l(struct conf_file *cf, const struct setup_params *p, struct notes *notes)
{
	bool changed = false;
	char vbuf[32];
	lptp_version_str(&p->ver, vbuf, sizeof(vbuf));
	if (!cf->existed && cf->n == 0) {
		char line[256];
		snprintf(line, sizeof(line), "# ptp4l configuration for a PTP %s, written by ptpcal setup",
			 p->role == SETUP_SERVER ? "grandmaster (GNSS -> ntpsec -> phc2sys -> PHC)"
						 : "client (PHC -> phc2sys -E ntpshm -> ntpsec)");
		conf_insert_line(cf, cf->n, line);
		snprintf(line, sizeof(line), "# for linuxptp %s (option names differ between 3.x and 4.x)",
			 vbuf);
		conf_insert_line(cf, cf->n, line);
		changed = true;
	}
	/* The other spelling of client-only: on 3.x "clientOnly" is an unknown option and
	 * ptp4l refuses the whole file; on 4.x "slaveOnly" is renamed to clientOnly by
	 * check_deprecated_options() (config.c v4.0..v4.4), so a later "slaveOnly 0" (as in
	 * Debian's default.cfg) would silently undo our clientOnly 1. */
	const char *other = lptp_client_only_other(&p->ver);
	if (conf_ptp4l_unset(cf, "global", other)) {
		notes_add(notes, "ptp4l.conf: removed '%s' (linuxptp %s uses '%s')", other, vbuf,
			  lptp_client_only_option(&p->ver));
		changed = true;
	}
	if (!lptp_at_least(&p->ver, 4, 0) && conf_ptp4l_unset(cf, "global", "serverOnly")) {
		notes_add(notes, "ptp4l.conf: removed 'serverOnly' (unknown to linuxptp %s: "
				 "ptp4l would refuse the file; 3.x spells it masterOnly)", vbuf);
		changed = true;
	}
	if (lptp_at_least(&p->ver, 4, 0) && conf_ptp4l_unset(cf, "global", "masterOnly")) {
		notes_add(notes, "ptp4l.conf: removed deprecated 'masterOnly' (4.x maps it to serverOnly)");
		changed = true;
	}
	if (!lptp_has_ptp_minor_version(&p->ver) &&
	    conf_ptp4l_unset(cf, "global", "ptp_minor_version")) {
		notes_add(notes, "ptp4l.conf: removed 'ptp_minor_version' (added in linuxptp 4.2; "
				 "%s refuses the whole file: docs/errata.md 4)", vbuf);
		changed = true;
	}
	if (p->role == SETUP_CLIENT && !lptp_has_ptp_minor_version(&p->ver))
		notes_add(notes, "ptp4l.conf: no 'ptp_minor_version 0' for linuxptp %s (it sends PTP "
				 "2.0 anyway; the option arrived in 4.2)", vbuf);
	struct ptp4l_setting s[32];
	size_t n = setup_ptp4l_settings(p, s, 32);
	for (size_t i = 0; i < n; i++) {
		const char *old = conf_ptp4l_get(cf, "global", s[i].option);
		char *was = old ? xstrdup(old) : NULL;
		if (conf_ptp4l_set(cf, "global", s[i].option, s[i].value)) {
			changed = true;
			if (was && strcmp(s[i].option, "clock_servo") == 0 && strcmp(was, "ntpshm") == 0)
				notes_add(notes, "ptp4l.conf: clock_servo ntpshm replaced by linreg: SHM must "
						 "come from phc2sys -E ntpshm, which applies the UTC-TAI "
						 "offset (guide: 37-second errors)");
		}
		free(was);
	}
	/* A port section for this interface overrides port options set in [global]. */
	static const char *const port_opts[] = { "network_transport", "delay_mechanism",
						 "fault_reset_interval", NULL };
	for (int i = 0; port_opts[i]; i++) {
		const char *v = conf_ptp4l_get(cf, p->iface, port_opts[i]);
		if (v)
			notes_add(notes, "ptp4l.conf: [%s] sets %s %s, which overrides [global] for that "
					 "port; check it is what you want",
				  p->iface, port_opts[i], v);
	}
	return changed;
}

/* ------------------------------------------------------------------ ntp.conf */

struct refclock_match {
	int unit;
};

static bool match_leapfile(const char *line, void *ctx)
{
	(void)ctx;
	char buf[4096];
	const char *t[4];
	int n = conf_tokens(line, buf, sizeof(buf), t, 4);
	return n >= 1 && strcmp(t[0], "leapfile") == 0;
}

/* "refclock shm [unit N] options...": ntpsec ntp_parser.y refclock_command is
 * T_Refclock T_String optional_unit option_list, the unit (default 0) right after the driver
 * name. */
static int refclock_shm_unit(const char *const *t, int n)
{
	if (n < 2 || strcmp(t[0], "refclock") != 0 || strcmp(t[1], "shm") != 0)
		return -1;
	if (n >= 4 && strcmp(t[2], "unit") == 0)
		return atoi(t[3]);
	return 0;
}

static bool match_refclock_shm(const char *line, void *ctx)
{
	const struct refclock_match *m = ctx;
	char buf[4096];
	const char *t[64];
	int n = conf_tokens(line, buf, sizeof(buf), t, 64);
	return refclock_shm_unit(t, n) == m->unit;
}

/* ntpsec ntp_parser.y option_flag_keyword: the refclock options without an argument; every
 * other option (option_int/double/string/boolean, flag1..flag4 included) takes one. */
static bool option_without_arg(const char *o)
{
	static const char *const flags[] = { "burst", "iburst", "noselect", "noval", "nts",
					     "prefer", "true", NULL };
	for (int i = 0; flags[i]; i++)
		if (strcmp(o, flags[i]) == 0)
			return true;
	return false;
}

bool setup_edit_ntpconf(struct conf_file *cf, const struct setup_params *p, struct notes *notes)
{
	char text[4096];
	if (p->role == SETUP_SERVER) {
		snprintf(text, sizeof(text), "leapfile %s", p->leapfile);
		return conf_directive_set(cf, match_leapfile, NULL, text,
					  "ptpcal setup: the IERS leap-seconds file (tzdata), so that\n"
					  "ntpsec sets the kernel's TAI offset and announces leap seconds");
	}
	struct refclock_match m = { p->shm_unit };
	/* Keep the options of an existing line (prefer, minpoll, a calibrated time1...),
	 * except time2 below 1 s: in ntpsec's refclock_shm.c time2 is only the maximum
	 * allowed difference (used with flag1; values < 1 s are replaced by 4 h), so the
	 * guide's "time2 0.000180" offset correction does nothing (docs/errata.md 1). The
	 * offset correction is time1 (refclock_process_offset(..., pp->fudgetime1)). */
	const char *existing = NULL;
	for (size_t i = 0; i < cf->n; i++)
		if (match_refclock_shm(cf->lines[i], &m)) {
			existing = cf->lines[i];
			break;
		}
	size_t len = (size_t)snprintf(text, sizeof(text), "refclock shm unit %d", p->shm_unit);
	bool have_refid = false;
	if (existing) {
		char buf[4096];
		const char *t[64];
		int n = conf_tokens(existing, buf, sizeof(buf), t, 64);
		int i = n >= 4 && strcmp(t[2], "unit") == 0 ? 4 : 2;
		while (i < n) {
			const char *o = t[i];
			const char *a = !option_without_arg(o) && i + 1 < n ? t[i + 1] : NULL;
			i += a ? 2 : 1;
			if (!a && !option_without_arg(o)) {
				/* an option that needs a value has none: ntpsec's parser refuses the
				 * line; keeping it would swallow whatever follows it next time */
				notes_add(notes, "ntp.conf: removed '%s' without its value from the SHM "
						 "refclock line",
					  o);
				continue;
			}
			if (strcmp(o, "time2") == 0 && a && atof(a) < 1.0) {
				notes_add(notes, "ntp.conf: removed 'time2 %s': for the SHM driver time2 is "
						 "a sanity limit (with flag1), not an offset (ntpsec "
						 "refclock_shm.c); put a measured correction in time1 "
						 "(ptpcal calibrate)",
					  a);
				continue;
			}
			if (strcmp(o, "time1") == 0 && p->have_time1)
				continue; /* replaced below */
			if (strcmp(o, "refid") == 0)
				have_refid = true;
			if (a)
				len += (size_t)snprintf(text + len, sizeof(text) - len, " %s %s", o, a);
			else
				len += (size_t)snprintf(text + len, sizeof(text) - len, " %s", o);
			if (len >= sizeof(text))
				len = sizeof(text) - 1;
		}
	}
	if (!have_refid)
		len += (size_t)snprintf(text + len, sizeof(text) - len, " refid PTP");
	if (len >= sizeof(text))
		len = sizeof(text) - 1;
	if (p->have_time1)
		snprintf(text + len, sizeof(text) - len, " time1 %s", p->time1);
	char comment[512];
	snprintf(comment, sizeof(comment),
		 "ptpcal setup: PTP time from phc2sys -E ntpshm -M %d (SHM key 0x4e545030+%d).\n"
		 "An offset correction goes in time1 (seconds; positive = refclock reads later).",
		 p->shm_unit, p->shm_unit);
	return conf_directive_set(cf, match_refclock_shm, &m, text, comment);
}

/* ------------------------------------------------------------------ systemd units */

static const char *skip_ws(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

/* "[Name]" -> Name into out. */
static bool unit_section(const char *line, char *out, size_t len)
{
	const char *s = skip_ws(line);
	if (*s != '[')
		return false;
	const char *e = strchr(s, ']');
	if (!e || (size_t)(e - s - 1) >= len)
		return false;
	memcpy(out, s + 1, (size_t)(e - s - 1));
	out[e - s - 1] = '\0';
	return true;
}

/* "Key=value": true and the value pointer when line's key is key. */
static bool unit_key(const char *line, const char *key, const char **value)
{
	const char *s = skip_ws(line);
	size_t kl = strlen(key);
	if (strncmp(s, key, kl) != 0)
		return false;
	s = skip_ws(s + kl);
	if (*s != '=')
		return false;
	*value = skip_ws(s + 1);
	return true;
}

static bool has_word(const char *list, const char *word)
{
	size_t wl = strlen(word);
	const char *s = list;
	while (*s) {
		s = skip_ws(s);
		const char *e = s;
		while (*e && !isspace((unsigned char)*e))
			e++;
		if ((size_t)(e - s) == wl && strncmp(s, word, wl) == 0)
			return true;
		s = e;
	}
	return false;
}

bool unit_ensure(struct conf_file *cf, const char *section, const char *key, const char *value,
		 bool list)
{
	char name[128], line[4096];
	size_t hdr = cf->n, end = cf->n, last = cf->n;
	for (size_t i = 0; i < cf->n; i++) {
		if (!unit_section(cf->lines[i], name, sizeof(name)))
			continue;
		if (hdr < cf->n) {
			end = i;
			break;
		}
		if (strcmp(name, section) == 0)
			hdr = i;
	}
	snprintf(line, sizeof(line), "%s=%s", key, value);
	if (hdr == cf->n) {
		if (cf->n && *skip_ws(cf->lines[cf->n - 1]))
			conf_insert_line(cf, cf->n, "");
		snprintf(name, sizeof(name), "[%s]", section);
		conf_insert_line(cf, cf->n, name);
		conf_insert_line(cf, cf->n, line);
		return true;
	}
	last = hdr;
	for (size_t i = hdr + 1; i < end; i++) {
		const char *v;
		const char *s = skip_ws(cf->lines[i]);
		if (*s && *s != '#' && *s != ';')
			last = i;
		if (!unit_key(cf->lines[i], key, &v))
			continue;
		if (list) {
			if (has_word(v, value))
				return false;
		} else {
			if (strcmp(v, value) == 0)
				return false;
			conf_replace_line(cf, i, line);
			return true;
		}
	}
	conf_insert_line(cf, last + 1, line);
	return true;
}

bool setup_edit_ptp4l_dropin(struct conf_file *cf, const struct setup_params *p)
{
	(void)p;
	bool changed = false;
	if (!cf->existed && cf->n == 0) {
		conf_insert_line(cf, 0, "# ptpcal setup: wait for the network (the PHY may not be "
					"ready: \"ioctl SIOCSHWTSTAMP failed\",");
		conf_insert_line(cf, 1, "# Debian bug #1070847) and restart after a failure. A "
					"drop-in only adds to dependencies.");
		changed = true;
	}
	/* After=/Wants= are list-valued (systemd.unit(5)); Restart=/RestartSec= single. */
	changed |= unit_ensure(cf, "Unit", "After", "network-online.target", true);
	changed |= unit_ensure(cf, "Unit", "Wants", "network-online.target", true);
	changed |= unit_ensure(cf, "Service", "Restart", "on-failure", false);
	changed |= unit_ensure(cf, "Service", "RestartSec", "2s", false);
	return changed;
}

char *setup_phc2sys_unit(const struct setup_params *p)
{
	char buf[2048];
	if (p->role == SETUP_SERVER)
		snprintf(buf, sizeof(buf),
			 "# ptpcal setup server: full override of the vendor phc2sys@.service, whose\n"
			 "# Requires and After name a non-templated ptp4l unit a drop-in cannot remove.\n"
			 "# Direction: system clock (ntpsec-disciplined UTC) -> PHC of %%I; -w waits for\n"
			 "# ptp4l and takes the UTC-TAI offset from its TIME_PROPERTIES_DATA_SET.\n"
			 "[Unit]\n"
			 "Description=Synchronize system clock or PTP hardware clock (PHC) for %%I\n"
			 "Documentation=man:phc2sys\n"
			 "Requires=ptp4l@%%i.service\n"
			 "After=ntpsec.service ptp4l@%%i.service\n"
			 "Before=time-sync.target\n"
			 "\n"
			 "[Service]\n"
			 "Type=simple\n"
			 "ExecStart=/usr/sbin/phc2sys -s CLOCK_REALTIME -c %%I -w -q\n"
			 "\n"
			 "[Install]\n"
			 "WantedBy=multi-user.target\n");
	else
		snprintf(buf, sizeof(buf),
			 "# ptpcal setup client: full override of the vendor phc2sys@.service, whose\n"
			 "# Requires and After name a non-templated ptp4l unit a drop-in cannot remove.\n"
			 "# Direction: PHC of %%I -> NTP SHM segment %d (read by ntpsec's refclock shm\n"
			 "# unit %d); -w waits for ptp4l and strips the UTC-TAI offset. After=ntpsec so\n"
			 "# that ntpsec creates the segment world-writable (unit >= 2) before phc2sys,\n"
			 "# which would create it mode 0600 (linuxptp ntpshm.c, ntpsec refclock_shm.c).\n"
			 "[Unit]\n"
			 "Description=Synchronize system clock or PTP hardware clock (PHC) for %%I\n"
			 "Documentation=man:phc2sys\n"
			 "Requires=ptp4l@%%i.service\n"
			 "After=ntpsec.service ptp4l@%%i.service\n"
			 "\n"
			 "[Service]\n"
			 "Type=simple\n"
			 "ExecStart=/usr/sbin/phc2sys -s %%I -E ntpshm -M %d -w -q\n"
			 "\n"
			 "[Install]\n"
			 "WantedBy=multi-user.target\n",
			 p->shm_unit, p->shm_unit, p->shm_unit);
	return xstrdup(buf);
}

const char *setup_coalescence_name(const struct setup_params *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s-coalescence.service", p->iface);
	return buf;
}

char *setup_coalescence_unit(const struct setup_params *p)
{
	char buf[2048];
	snprintf(buf, sizeof(buf),
		 "# ptpcal setup: lower interrupt coalescence on %s for PTP (latency over\n"
		 "# throughput). Check the driver's minimum with: ethtool -c %s\n"
		 "[Unit]\n"
		 "Description=Reduce %s coalescence for PTP\n"
		 "Wants=network.target\n"
		 "After=network.target\n"
		 "\n"
		 "[Service]\n"
		 "Type=oneshot\n"
		 "ExecStart=/usr/sbin/ethtool -C %s rx-usecs %d tx-usecs %d\n"
		 "RemainAfterExit=yes\n"
		 "\n"
		 "[Install]\n"
		 "WantedBy=multi-user.target\n",
		 p->iface, p->iface, p->iface, p->iface, p->coalesce_usecs, p->coalesce_usecs);
	return xstrdup(buf);
}

char *setup_monitor_unit(const struct setup_params *p)
{
	char src[128], buf[4096];
	/* --iface: ptp4l@IF's socket, the PHC phc-tai reads, the units the daemons check names */
	if (p->role == SETUP_SERVER)
		snprintf(src, sizeof(src), "--iface %s --role server --no-shm", p->iface);
	else
		snprintf(src, sizeof(src), "--iface %s --shm-unit %d --no-gpsd", p->iface,
			 p->shm_unit);
	snprintf(buf, sizeof(buf),
		 "# ptpcal setup %s: ptpcal monitor, the chain exported for Prometheus\n"
		 "# (docs/monitor.md). It writes nothing and needs no capability; it keeps root's\n"
		 "# uid only because ptp4l's management socket and SHM units 0/1 are root's.\n"
		 "# With --capture IFACE it needs CAP_NET_RAW to open the capture (and drops it):\n"
		 "# CapabilityBoundingSet=CAP_NET_RAW and AmbientCapabilities=CAP_NET_RAW then.\n"
		 "# Its pmc socket lives in /run/ptpcal-monitor (not a private /tmp: ptp4l answers\n"
		 "# to that path from its own mount namespace).\n"
		 "[Unit]\n"
		 "Description=ptpcal monitor: PTP/NTP chain metrics for Prometheus\n"
		 "Documentation=man:ptpcal(1)\n"
		 "After=network-online.target ptp4l@%s.service ntpsec.service gpsd.service\n"
		 "Wants=network-online.target\n"
		 "\n"
		 "[Service]\n"
		 "Type=simple\n"
		 "ExecStart=%s monitor --listen %s %s\n"
		 "Restart=on-failure\n"
		 "RestartSec=5\n"
		 "RuntimeDirectory=ptpcal-monitor\n"
		 "Environment=TMPDIR=/run/ptpcal-monitor\n"
		 "CapabilityBoundingSet=\n"
		 "AmbientCapabilities=\n"
		 "NoNewPrivileges=yes\n"
		 "ProtectSystem=strict\n"
		 "ProtectHome=yes\n"
		 "ProtectKernelTunables=yes\n"
		 "ProtectKernelModules=yes\n"
		 "ProtectControlGroups=yes\n"
		 "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n"
		 "MemoryMax=64M\n"
		 "\n"
		 "[Install]\n"
		 "WantedBy=multi-user.target\n",
		 p->role == SETUP_SERVER ? "server" : "client", p->iface, p->ptpcal_exe,
		 p->monitor_listen, src);
	return xstrdup(buf);
}
