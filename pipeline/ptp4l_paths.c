#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/conf_edit.h"
#include "pipeline/fsroot.h"
#include "pipeline/ptp4l_conf_scan.h"
#include "pipeline/ptp4l_paths.h"

void ptp4l_conf_path(const char *root, const char *iface, char *out, size_t len)
{
	static const char *const units[] = { "/etc/systemd/system/ptp4l@.service",
					     "/usr/lib/systemd/system/ptp4l@.service",
					     "/lib/systemd/system/ptp4l@.service", NULL };
	snprintf(out, len, "/etc/linuxptp/ptp4l.conf");
	for (int u = 0; units[u]; u++) {
		char p[4096];
		char *text = fsroot_read(fsroot_path(root, units[u], p, sizeof(p)));
		if (!text)
			continue;
		char found[1024] = "";
		char *save = NULL;
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			if (strncmp(l, "ExecStart=", 10) != 0)
				continue;
			char buf[4096];
			const char *t[64];
			int n = conf_tokens(l + 10, buf, sizeof(buf), t, 64);
			for (int i = 0; i + 1 < n; i++)
				if (strcmp(t[i], "-f") == 0 && t[i + 1][0] == '/')
					snprintf(found, sizeof(found), "%s", t[i + 1]);
		}
		free(text);
		if (!found[0])
			continue;
		/* %I / %i: the instance name (the interface) */
		size_t k = 0;
		for (const char *s = found; *s && k + 1 < len; s++) {
			if (s[0] == '%' && (s[1] == 'I' || s[1] == 'i')) {
				k += (size_t)snprintf(out + k, len - k, "%s", iface);
				if (k >= len)
					k = len - 1;
				s++;
			} else {
				out[k++] = *s;
			}
		}
		out[k] = '\0';
		return;
	}
}


void ptp4l_uds_path(const char *iface, char *out, size_t len)
{
	char conf[1024];
	ptp4l_conf_path(NULL, iface, conf, sizeof(conf));
	char *text = fsroot_read(conf);
	if (text) {
		struct ptp4l_scan s;
		ptp4l_scan_text(text, &s);
		const struct ptp4l_line *l = ptp4l_scan_get(&s, "global", "uds_address");
		bool found = l && l->value[0] == '/';
		if (found)
			snprintf(out, len, "%s", l->value);
		ptp4l_scan_free(&s);
		free(text);
		if (found)
			return;
	}
	struct stat st;
	if (stat("/var/run/ptp4l", &st) != 0 && stat("/var/run/ptp/ptp4l", &st) == 0)
		snprintf(out, len, "/var/run/ptp/ptp4l");
	else
		snprintf(out, len, "/var/run/ptp4l");
}
