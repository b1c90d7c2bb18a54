#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/doctor.h"

/* The interface a ptp4l command line names with -i (first one), or "". */
static void iface_of(const char *args, char *out, size_t len)
{
	out[0] = '\0';
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", args);
	char *save = NULL, *prev = NULL;
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (prev && strcmp(prev, "-i") == 0) {
			snprintf(out, len, "%s", t);
			return;
		}
		if (strncmp(t, "-i", 2) == 0 && t[2]) {
			snprintf(out, len, "%s", t + 2);
			return;
		}
		prev = t;
	}
}

static void count(const struct proc_entry *p, int n, const char *name, struct check *c,
		  bool same_iface_only)
{
	int k = 0, elsewhere = 0;
	for (int i = 0; i < n; i++) {
		if (strcmp(p[i].name, name) != 0)
			continue;
		if (p[i].other_netns)
			elsewhere++;
		else
			k++;
	}
	char others[96] = "";
	if (elsewhere)
		snprintf(others, sizeof(others), " (and %d in other network namespaces, not ours)",
			 elsewhere);
	for (int i = 0; i < n; i++) {
		if (strcmp(p[i].name, name) != 0 || p[i].other_netns)
			continue;
		char ifa[64], ifb[64], where[64], pids[256] = "";
		iface_of(p[i].args, ifa, sizeof(ifa));
		int dup = 0;
		for (int j = 0; j < n; j++) {
			if (strcmp(p[j].name, name) != 0 || p[j].other_netns)
				continue;
			iface_of(p[j].args, ifb, sizeof(ifb));
			if (j != i && (!same_iface_only || strcmp(ifa, ifb) == 0 || !ifa[0] || !ifb[0])) {
				dup++;
				snprintf(pids + strlen(pids), sizeof(pids) - strlen(pids), " %d", p[j].pid);
			}
		}
		snprintf(where, sizeof(where), "process %d", p[i].pid);
		if (dup)
			check_fail(c, where,
				   "keep one: `systemctl status <PID>` names the unit that started each; a "
				   "leftover non-templated unit is the usual cause (see stray-units)",
				   "%s%s%s also runs as%s: two daemons race for the same PHC and socket "
				   "(\"timed out while polling for tx timestamp\", a flapping port)",
				   p[i].args, ifa[0] ? " on " : "", ifa, pids);
	}
	if (c->nf == 0)
		check_detail(c, "%d %s process%s%s", k, name, k == 1 ? "" : "es", others);
}

void doctor_processes(const struct doctor_opts *o, struct checks *cs)
{
	struct check *c1 = check_new(cs, "duplicate-ptp4l", "exactly one ptp4l per interface");
	struct check *c2 = check_new(cs, "duplicate-phc2sys", "exactly one phc2sys");
	struct proc_entry *p;
	char why[512];
	int n = sv_processes(&o->sv, &p, why, sizeof(why));
	if (n < 0) {
		check_skip(c1, "%s", why);
		check_skip(c2, "%s", why);
		return;
	}
	count(p, n, "ptp4l", c1, true);
	/* phc2sys: one per direction/clock pair; two on one host usually fight over a clock */
	count(p, n, "phc2sys", c2, false);
	sv_free_processes(p, n);
}
