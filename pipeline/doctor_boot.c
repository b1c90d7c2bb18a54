/* The guide's "port never leaves INITIALIZING / FAULTY" causes that configuration shows:
 * ptp4l started before the network is up (no After=network-online.target, no Restart=), and
 * the Pi's slow TX time stamps (macb / bcmgenet) without tx_timestamp_timeout 100. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf_edit.h"
#include "common/log.h"
#include "pipeline/doctor.h"
#include "pipeline/ptp4l_conf_scan.h"
#include "pipeline/ptp4l_paths.h"

/* Does any line "Key=... word ..." of the text carry word? */
static bool has_key_word(const char *text, const char *key, const char *word)
{
	size_t kl = strlen(key);
	const char *p = text;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			char buf[1024];
			const char *t[32];
			char line[1024];
			snprintf(line, sizeof(line), "%.*s", (int)(len - kl - 1 < 1023 ? len - kl - 1 : 1023),
				 p + kl + 1);
			int n = conf_tokens(line, buf, sizeof(buf), t, 32);
			for (int i = 0; i < n; i++)
				if (strcmp(t[i], word) == 0)
					return true;
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

/* Appends text t and a newline to the NUL-terminated *all of length *len. */
static void append_line(char **all, size_t *len, const char *t)
{
	size_t tl = strlen(t);
	*all = xrealloc(*all, *len + tl + 2);
	memcpy(*all + *len, t, tl);
	*len += tl;
	(*all)[(*len)++] = '\n';
	(*all)[*len] = '\0';
}

/* The text of the ptp4l@IF unit as systemd merges it: the unit file (first found) and every
 * drop-in of the template and the instance (order does not matter for these additive keys). */
static char *merged_unit(const struct doctor_opts *o, bool *found)
{
	static const char *const dirs[] = { "/etc/systemd/system", "/run/systemd/system",
					    "/usr/lib/systemd/system", "/lib/systemd/system", NULL };
	size_t len = 0;
	char *all = xcalloc(1, 1);
	*found = false;
	for (int d = 0; dirs[d] && all; d++) {
		char names[3][128], p[512];
		snprintf(names[0], sizeof(names[0]), "ptp4l@.service");
		snprintf(names[1], sizeof(names[1]), "ptp4l@.service.d");
		snprintf(names[2], sizeof(names[2]), "ptp4l@%s.service.d", o->iface);
		for (int k = 0; k < 3; k++) {
			snprintf(p, sizeof(p), "%s/%s", dirs[d], names[k]);
			if (k == 0) {
				char *t = sv_read(&o->sv, p);
				if (!t)
					continue;
				*found = true;
				append_line(&all, &len, t);
				free(t);
				continue;
			}
			DIR *dh = opendir(sv_path(&o->sv, p));
			struct dirent *de;
			while (dh && (de = readdir(dh))) {
				size_t l = strlen(de->d_name);
				if (l < 6 || strcmp(de->d_name + l - 5, ".conf") != 0)
					continue;
				char f[800];
				snprintf(f, sizeof(f), "%s/%s", p, de->d_name);
				char *t = sv_read(&o->sv, f);
				if (!t)
					continue;
				append_line(&all, &len, t);
				free(t);
			}
			if (dh)
				closedir(dh);
		}
	}
	return all;
}

void doctor_boot(const struct doctor_opts *o, struct checks *cs)
{
	struct check *c = check_new(cs, "ptp4l-startup", "ptp4l@ waits for the network and restarts");
	bool found;
	char *all = merged_unit(o, &found);
	char unit[128];
	snprintf(unit, sizeof(unit), "ptp4l@%s.service", o->iface);
	if (!found || !all) {
		check_skip(c, "no ptp4l@.service unit under %s", o->sv.root ? o->sv.root : "/");
	} else {
		const char *fix = "the drop-in `ptpcal setup` writes (ptp4l@IF.service.d/override.conf: "
				  "After=/Wants=network-online.target, Restart=on-failure, RestartSec=2s)";
		if (!has_key_word(all, "After", "network-online.target"))
			check_warn(c, unit, fix,
				   "starts without waiting for network-online.target: at boot the PHY may "
				   "not be ready (\"ioctl SIOCSHWTSTAMP failed\", Debian bug #1070847)");
		if (!has_key_word(all, "Restart", "on-failure") && !has_key_word(all, "Restart", "always"))
			check_warn(c, unit, fix, "no Restart=: a ptp4l that faults at boot stays down");
		if (c->nf == 0)
			check_detail(c, "%s: After=network-online.target, Restart=", unit);
	}
	free(all);

	/* the Pi's Ethernet drivers (guide: "The macb/bcmgenet driver is slow to return TX
	 * timestamps") */
	struct check *t = check_new(cs, "tx-timestamp-timeout", "tx_timestamp_timeout fits the driver");
	char fake[128], why[512];
	int status;
	snprintf(fake, sizeof(fake), "ethtool-i-%s.txt", o->iface);
	const char *argv[] = { "ethtool", "-i", o->iface, NULL };
	char *out = sv_command(&o->sv, fake, argv, &status, why, sizeof(why));
	if (!out) {
		check_skip(t, "%s", why);
		return;
	}
	char driver[64] = "";
	const char *d = strstr(out, "driver:");
	if (d)
		sscanf(d + 7, " %63s", driver);
	free(out);
	if (!driver[0]) {
		check_skip(t, "ethtool -i %s: no driver reported", o->iface);
		return;
	}
	if (strcmp(driver, "macb") != 0 && strcmp(driver, "bcmgenet") != 0) {
		check_detail(t, "driver %s (not the Pi's macb/bcmgenet)", driver);
		return;
	}
	char conf[1024];
	ptp4l_conf_path(o->sv.root, o->iface, conf, sizeof(conf));
	char *text = sv_read(&o->sv, conf);
	int ms = lptp_at_least(&o->ver, 4, 0) ? 10 : 1, line = 0; /* config.c defaults */
	if (!o->have_ver)
		ms = 1;
	if (text) {
		struct ptp4l_scan s;
		ptp4l_scan_text(text, &s);
		const struct ptp4l_line *l = ptp4l_scan_get(&s, "global", "tx_timestamp_timeout");
		if (l) {
			ms = atoi(l->value);
			line = l->line;
		}
		ptp4l_scan_free(&s);
		free(text);
	}
	char where[1100];
	snprintf(where, sizeof(where), "%s:%d", conf, line);
	if (ms < 100)
		check_warn(t, line ? where : conf, "tx_timestamp_timeout 100 in [global] (ptpcal setup does)",
			   "driver %s returns TX time stamps slowly; tx_timestamp_timeout %d ms%s ends in "
			   "\"timed out while polling for tx timestamp\" and FAULT_DETECTED loops",
			   driver, ms, line ? "" : " (the default)");
	else
		check_detail(t, "driver %s, tx_timestamp_timeout %d ms", driver, ms);
}
